# Sourced by scripts/test and scripts/demo: a project virtualenv in .venv.
# TDS_REQUIREMENTS names the files to install (scripts/demo: the runtime packages only;
# scripts/test: requirements-dev.txt as well). Each file is reinstalled only when it changes:
# its hash is kept in .venv/.<file>.sha256.
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "Creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi
for req in ${TDS_REQUIREMENTS:-requirements.txt}; do
  stamp=".venv/.${req%.txt}.sha256"
  want=$(sha256sum "$req" | cut -d' ' -f1)
  have=$(cat "$stamp" 2>/dev/null || true)
  if [ "$want" != "$have" ]; then
    echo "Installing $req into .venv"
    .venv/bin/pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/pip install --quiet --disable-pip-version-check -r "$req"
    echo "$want" > "$stamp"
  fi
done
