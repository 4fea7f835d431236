"""The gateway's self-signed certificate: made once under the data directory, then reused."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import structlog
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

log = structlog.get_logger()

DEFAULT_HOSTNAMES = ("localhost",)
DEFAULT_IPS = ("127.0.0.1", "::1")
VALIDITY_DAYS = 825  # the longest lifetime browsers accept for a server certificate
RENEW_BEFORE_DAYS = 30


@dataclass(frozen=True)
class TlsFiles:
    cert: Path
    key: Path


def ensure_self_signed_certificate(
    directory: Path,
    *,
    hostnames: Iterable[str] = DEFAULT_HOSTNAMES,
    ips: Iterable[str] = DEFAULT_IPS,
    now: dt.datetime | None = None,
) -> TlsFiles:
    """The certificate in `directory`, created if missing, expiring or lacking a name."""
    files = TlsFiles(cert=directory / "cert.pem", key=directory / "key.pem")
    now = now or dt.datetime.now(dt.UTC)
    wanted_names = set(hostnames) | set(DEFAULT_HOSTNAMES)
    wanted_ips = {ipaddress.ip_address(ip) for ip in (*ips, *DEFAULT_IPS)}
    if _reusable(files, wanted_names, wanted_ips, now):
        return files
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "localhost"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Sift (self-signed)"),
        ]
    )
    san: list[x509.GeneralName] = [x509.DNSName(host) for host in sorted(wanted_names)]
    san += [x509.IPAddress(ip) for ip in sorted(wanted_ips, key=str)]
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=VALIDITY_DAYS))
        .add_extension(x509.SubjectAlternativeName(san), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=True,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_atomically(files.key, key_pem, mode=0o600)
    _write_atomically(files.cert, cert.public_bytes(serialization.Encoding.PEM), mode=0o644)
    log.info(
        "tls.certificate_created",
        path=str(files.cert),
        names=sorted(wanted_names),
        expires=cert.not_valid_after_utc.isoformat(),
    )
    return files


def _reusable(
    files: TlsFiles,
    names: set[str],
    ips: set[ipaddress.IPv4Address | ipaddress.IPv6Address],
    now: dt.datetime,
) -> bool:
    if not (files.cert.is_file() and files.key.is_file()):
        return False
    try:
        cert = x509.load_pem_x509_certificate(files.cert.read_bytes())
        key = serialization.load_pem_private_key(files.key.read_bytes(), password=None)
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (ValueError, x509.ExtensionNotFound):
        log.warning("tls.certificate_unreadable", path=str(files.cert))
        return False
    if cert.public_key() != key.public_key():
        return False
    if cert.not_valid_after_utc - now < dt.timedelta(days=RENEW_BEFORE_DAYS):
        log.info("tls.certificate_expiring", path=str(files.cert))
        return False
    have_names = set(san.get_values_for_type(x509.DNSName))
    have_ips = set(san.get_values_for_type(x509.IPAddress))
    return names <= have_names and ips <= have_ips


def _write_atomically(path: Path, data: bytes, *, mode: int) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(tmp, mode)
    os.replace(tmp, path)
