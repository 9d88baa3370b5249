"""Write a copy of a shipped deploy file for another layout.

The files under deploy/ are installed as they are on a host where the checkout is /srv/tds, run by
the user tds, with sockets in /run/tds, the certificate in /etc/ssl/tds and nginx's logs in
/var/log/nginx. For any other layout (and for the tests, which run these very files under a temporary
directory) this prints the file with those values replaced:

    python3 deploy/render.py deploy/nginx/tds.conf --root /opt/tds --server-name erp.tsh.sale \\
        > /etc/nginx/sites-available/tds

Plain replacement of the shipped values, nothing else, so the copy reads like the original.
Standard library only: the system's python3 runs it before any virtualenv exists.
"""
from __future__ import annotations

import argparse
import functools
import re
import sys
from collections.abc import Callable
from pathlib import Path

Replace = Callable[[re.Match[str], str], str]
Rule = tuple[str, Replace]

# option -> (pattern of the shipped value, its replacement from the match and the option's value)
RULES: dict[str, list[Rule]] = {
    "root": [(r"/srv/tds(?=[/\s]|$)", lambda m, v: v)],
    "run_dir": [(r"/run/tds(?=[/\s]|$)", lambda m, v: v)],
    "tls_dir": [(r"/etc/ssl/tds(?=/)", lambda m, v: v)],
    "log_dir": [(r"/var/log/nginx(?=/)", lambda m, v: v)],
    "server_name": [(r"\berp\.example\.com\b", lambda m, v: v)],
    "user": [(r"(?m)^(User|Group)=tds$", lambda m, v: f"{m[1]}={v}"),
             (r"\btds tds\b", lambda m, v: f"{v} {v}"),
             (r"(?m)^(d\s+\S+\s+\d+\s+)tds(\s+)(\S+)", lambda m, v: f"{m[1]}{v}{m[2]}{v if m[3] == 'tds' else m[3]}")],
    # One address instead of the IPv4 and IPv6 pair.
    "https": [(r"(?m)^(\s*)listen 443 ssl;\n\s*listen \[::\]:443 ssl;$", lambda m, v: f"{m[1]}listen {v} ssl;")],
    "http": [(r"(?m)^(\s*)listen 80;\n\s*listen \[::\]:80;$", lambda m, v: f"{m[1]}listen {v};")],
}


def _apply(replace: Replace, value: str, match: re.Match[str]) -> str:
    return replace(match, value)


def render(text: str, **values: str | None) -> str:
    """``text`` with the shipped value of every option given in ``values`` replaced."""
    for option, value in values.items():
        if value is None:
            continue
        for pattern, replace in RULES[option]:
            text = re.sub(pattern, functools.partial(_apply, replace, value), text)
    return text


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Print a deploy/ file with its paths, user or addresses replaced.")
    parser.add_argument("file", type=Path, help="a file under deploy/ (nginx site, systemd unit, logrotate ...)")
    parser.add_argument("--root", help="the checkout (shipped: /srv/tds)")
    parser.add_argument("--run-dir", help="directory of the gunicorn sockets (shipped: /run/tds)")
    parser.add_argument("--tls-dir", help="directory of fullchain.pem and privkey.pem (shipped: /etc/ssl/tds)")
    parser.add_argument("--log-dir", help="nginx's log directory (shipped: /var/log/nginx)")
    parser.add_argument("--server-name", help="the site's host name (shipped: erp.example.com)")
    parser.add_argument("--user", help="user and group the services run as (shipped: tds)")
    parser.add_argument("--https", metavar="ADDRESS",
                        help="listen address of the TLS server (shipped: 443, IPv4 and IPv6)")
    parser.add_argument("--http", metavar="ADDRESS", help="listen address of the redirect to https (shipped: 80)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        text = args.file.read_text(encoding="utf-8")
    except OSError as exc:
        print(f"render: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    values = {option: getattr(args, option) for option in RULES}
    sys.stdout.write(render(text, **values))
    return 0


if __name__ == "__main__":
    sys.exit(main())
