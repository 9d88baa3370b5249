"""Mail settings from the environment: the relay (EMAIL_URL or its parts), the senders, the CA file.

EMAIL_URL is read by django-environ's ``email_url_config`` (user and password percent-decoded, the
scheme mapped to a backend). This module refuses, with one line naming the variable, what that
reader would pass on quietly:

- ``smtps://``: django-environ reads it as STARTTLS, while most relays on port 465 expect TLS from
  the first byte, and the wrong guess only shows as a timeout. ``smtp+tls://`` (STARTTLS) and
  ``smtp+ssl://`` (TLS from the start) say which.
- ``?tls=`` and ``?ssl=`` are read as true/false (django-environ keeps the text, so ``?tls=false``
  would turn TLS on); any other option is refused rather than ignored.
- a port outside 1-65535, a relay without a host, STARTTLS and implicit TLS both on, a user name
  without a password (Django would then skip the login and the relay refuse the mail).

Ports default by scheme: 25 (smtp), 587 (smtp+tls), 465 (smtp+ssl). ``filemail:///var/tmp/tds-mail``
keeps its absolute path (django-environ drops the leading slash).

Precedence: EMAIL_URL, or the parts (EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
EMAIL_USE_TLS, EMAIL_USE_SSL), never a mix: a part set beside EMAIL_URL stops start-up, so that one
never silently wins over the other. The one exception is EMAIL_HOST_PASSWORD beside a URL without a
password, for a password kept out of the URL (a secrets file, characters a URL would need escaped).
With neither, Django's default stays: an MTA on localhost:25 (``check --deploy`` warns, tds.W002).

No message quotes EMAIL_URL or a password: the URL may hold the relay's password.
"""
from __future__ import annotations

import re
import ssl
from dataclasses import dataclass, field
from email.utils import getaddresses
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import environ
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email

from tds_site.env import env_bool, env_int, env_list, env_str

SMTP_BACKEND = "tds_site.smtp.EmailBackend"
# scheme: (STARTTLS, TLS from the start, default port)
RELAY_SCHEMES = {"smtp": (False, False, 25), "smtp+tls": (True, False, 587), "smtp+ssl": (False, True, 465)}
DEVELOPMENT_SCHEMES = ("consolemail", "filemail", "memorymail", "dummymail")
PARTS = ("EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS", "EMAIL_USE_SSL")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Mail:
    backend: str = SMTP_BACKEND
    host: str = "localhost"
    port: int = 25
    user: str = ""
    password: str = field(default="", repr=False)
    use_tls: bool = False
    use_ssl: bool = False
    file_path: str = ""
    source: str = ""  # "EMAIL_URL", "EMAIL_HOST" (the parts) or "" (nothing set: localhost:25)


def mail_from_env() -> Mail:
    given = [name for name in PARTS if env_str(name)]
    url = env_str("EMAIL_URL")
    if url:
        return _from_url(url, beside=given)
    return _from_parts() if given else Mail()


def _from_url(url: str, *, beside: list[str]) -> Mail:
    scheme = _scheme(url)
    clash = [name for name in beside if name != "EMAIL_HOST_PASSWORD"]
    if clash:
        raise ImproperlyConfigured(f"EMAIL_URL is set, so {', '.join(clash)} must not be: set the relay in one place")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured("EMAIL_URL has a port that is not a number from 1 to 65535") from None
    config = environ.Env.email_url_config(urlunsplit(parts._replace(query="")))
    if scheme in DEVELOPMENT_SCHEMES:
        return _development(scheme, parts.netloc, parts.path, config["EMAIL_BACKEND"])
    if not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL names no host: smtp+tls://user:password@relay.example.com:587")
    use_tls, use_ssl, default_port = RELAY_SCHEMES[scheme]
    options = _options(parts.query)
    use_tls, use_ssl = options.get("tls", use_tls), options.get("ssl", use_ssl)
    if use_tls and use_ssl:
        raise ImproperlyConfigured("EMAIL_URL turns on both STARTTLS (tls) and TLS from the start (ssl): choose one")
    if port == 0:
        raise ImproperlyConfigured("EMAIL_URL has a port that is not a number from 1 to 65535")
    user, password = config["EMAIL_HOST_USER"] or "", config["EMAIL_HOST_PASSWORD"] or ""
    if password and "EMAIL_HOST_PASSWORD" in beside:
        raise ImproperlyConfigured("EMAIL_URL has a password and EMAIL_HOST_PASSWORD is set too: keep one")
    password = password or env_str("EMAIL_HOST_PASSWORD")
    _login_complete("EMAIL_URL", user, password)
    return Mail(host=parts.hostname, port=port or default_port, user=user, password=password, use_tls=use_tls,
                use_ssl=use_ssl, source="EMAIL_URL")


def _scheme(url: str) -> str:
    match = _SCHEME.match(url)
    scheme = match.group(1).lower() if match else ""
    if scheme == "smtps":
        raise ImproperlyConfigured("EMAIL_URL: smtps:// is ambiguous; use smtp+tls:// (STARTTLS, port 587) or "
                                   "smtp+ssl:// (TLS from the start, port 465)")
    if scheme not in RELAY_SCHEMES and scheme not in DEVELOPMENT_SCHEMES:
        known = ", ".join(f"{name}://" for name in (*RELAY_SCHEMES, *DEVELOPMENT_SCHEMES))
        got = f"scheme {scheme!r}" if scheme else "no scheme"
        raise ImproperlyConfigured(f"EMAIL_URL must start with one of {known}; got {got}")
    return scheme


def _options(query: str) -> dict[str, bool]:
    options = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name.lower() not in ("tls", "ssl"):
            raise ImproperlyConfigured(f"EMAIL_URL has an unknown option {name!r}: only tls and ssl")
        if value.lower() not in _TRUE | _FALSE:
            raise ImproperlyConfigured(f"EMAIL_URL option {name.lower()} must be true or false, got {value!r}")
        options[name.lower()] = value.lower() in _TRUE
    return options


def _development(scheme: str, netloc: str, path: str, backend: str) -> Mail:
    if scheme != "filemail":
        return Mail(backend=backend, source="EMAIL_URL")
    if netloc or not path.strip("/"):
        raise ImproperlyConfigured("EMAIL_URL must name a directory as filemail:///absolute/path")
    return Mail(backend=backend, file_path=path, source="EMAIL_URL")


def _from_parts() -> Mail:
    use_tls, use_ssl = env_bool("EMAIL_USE_TLS", False), env_bool("EMAIL_USE_SSL", False)
    if use_tls and use_ssl:
        raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL are both on: STARTTLS or TLS from the start, "
                                   "choose one")
    port = env_int("EMAIL_PORT", 465 if use_ssl else 587 if use_tls else 25, minimum=1, maximum=65535)
    user, password = env_str("EMAIL_HOST_USER"), env_str("EMAIL_HOST_PASSWORD")
    _login_complete("EMAIL_HOST", user, password)
    return Mail(host=env_str("EMAIL_HOST") or "localhost", port=port, user=user, password=password,
                use_tls=use_tls, use_ssl=use_ssl, source="EMAIL_HOST")


def _login_complete(source: str, user: str, password: str) -> None:
    """Django logs in only with both: one alone would send unauthenticated, and most relays refuse that."""
    if bool(user) == bool(password):
        return
    if source == "EMAIL_URL":
        missing = "password (put it in the URL or in EMAIL_HOST_PASSWORD)" if user else "user name"
        raise ImproperlyConfigured(f"EMAIL_URL gives a {'user name' if user else 'password'} but no {missing}")
    given, missing = ("EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD") if user else ("EMAIL_HOST_PASSWORD", "EMAIL_HOST_USER")
    raise ImproperlyConfigured(f"{given} is set but {missing} is not: the relay would get no login")


def env_address(name: str, default: str) -> str:
    """One sender, "alerts@example.com" or "TDS alerts <alerts@example.com>"."""
    value = env_str(name) or default
    if not _valid_address(value):
        raise ImproperlyConfigured(f"{name} must be an e-mail address like 'TDS <alerts@example.com>', got {value!r}")
    return value


def env_addresses(name: str) -> list[str]:
    """Comma-separated recipients, each a valid address."""
    values = env_list(name)
    for value in values:
        if not _valid_address(value):
            raise ImproperlyConfigured(f"{name} holds {value!r}, which is not an e-mail address (separate "
                                       "addresses with commas)")
    return values


def _valid_address(value: str) -> bool:
    """One address, bare or with a display name. The standard library's parser is lenient (it joins words,
    skips what follows), so the address it finds must also be written as such in the value."""
    found = getaddresses([value])
    if len(found) != 1 or found[0][1] not in value:
        return False
    try:
        validate_email(found[0][1])
    except ValidationError:
        return False
    return True


def env_cafile(name: str) -> str:
    """A PEM file of CA certificates; checked now, so a typo stops start-up instead of the first alert."""
    value = env_str(name)
    if not value:
        return ""
    if not Path(value).is_file():
        raise ImproperlyConfigured(f"{name} must be a readable PEM file of CA certificates, got {value!r}")
    try:
        ssl.create_default_context(cafile=value)
    except (ssl.SSLError, OSError) as exc:
        raise ImproperlyConfigured(f"{name} holds no usable CA certificate ({value!r}: {exc})") from None
    return value
