"""The SMTP backend mail goes through: Django's own, also trusting the CAs in EMAIL_SSL_CAFILE.

Django's backend checks the relay's certificate against the system's CAs only (its EMAIL_SSL_CERTFILE
and EMAIL_SSL_KEYFILE are a client certificate, not a CA). A relay whose certificate comes from a
private CA could then be reached only by turning verification off, or through SSL_CERT_FILE, which
replaces the CAs of every TLS connection the process makes (Zoho, Odoo, webhooks). EMAIL_SSL_CAFILE
adds CAs for the relay alone; the certificate and the host name are still verified, for STARTTLS
(smtp+tls) and TLS from the start (smtp+ssl) alike.
"""
from __future__ import annotations

import ssl

from django.conf import settings
from django.core.mail.backends import smtp
from django.utils.functional import cached_property


class EmailBackend(smtp.EmailBackend):
    @cached_property
    def ssl_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        cafile = settings.EMAIL_SSL_CAFILE
        if cafile:
            context.load_verify_locations(cafile=cafile)
        if self.ssl_certfile:  # a client certificate, as Django's own backend allows
            context.load_cert_chain(self.ssl_certfile, self.ssl_keyfile)
        return context
