"""The gateway's self-signed certificate: created once, reused, renewed when it must be."""

from __future__ import annotations

import datetime as dt
import ipaddress
import stat
from pathlib import Path

from cryptography import x509

from sift.runtime.tls import ensure_self_signed_certificate


def _san(path: Path) -> x509.SubjectAlternativeName:
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    return cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value


def test_certificate_names_localhost_and_loopback(tmp_path: Path) -> None:
    files = ensure_self_signed_certificate(tmp_path / "tls")
    san = _san(files.cert)
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    assert set(san.get_values_for_type(x509.IPAddress)) == {
        ipaddress.ip_address("127.0.0.1"),
        ipaddress.ip_address("::1"),
    }
    assert stat.S_IMODE(files.key.stat().st_mode) == 0o600
    cert = x509.load_pem_x509_certificate(files.cert.read_bytes())
    usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert x509.oid.ExtendedKeyUsageOID.SERVER_AUTH in usage


def test_certificate_is_reused(tmp_path: Path) -> None:
    first = ensure_self_signed_certificate(tmp_path)
    cert, key = first.cert.read_bytes(), first.key.read_bytes()
    second = ensure_self_signed_certificate(tmp_path)
    assert second == first
    assert second.cert.read_bytes() == cert
    assert second.key.read_bytes() == key


def test_certificate_is_renewed_before_it_expires(tmp_path: Path) -> None:
    files = ensure_self_signed_certificate(tmp_path)
    old = files.cert.read_bytes()
    in_two_years = dt.datetime.now(dt.UTC) + dt.timedelta(days=800)
    ensure_self_signed_certificate(tmp_path, now=in_two_years)
    assert files.cert.read_bytes() != old


def test_certificate_is_remade_for_a_new_name(tmp_path: Path) -> None:
    files = ensure_self_signed_certificate(tmp_path)
    ensure_self_signed_certificate(tmp_path, hostnames=["sift.test"], ips=["10.1.2.3"])
    san = _san(files.cert)
    assert set(san.get_values_for_type(x509.DNSName)) == {"localhost", "sift.test"}
    assert ipaddress.ip_address("10.1.2.3") in san.get_values_for_type(x509.IPAddress)


def test_a_broken_certificate_is_replaced(tmp_path: Path) -> None:
    files = ensure_self_signed_certificate(tmp_path)
    files.cert.write_text("not a certificate")
    ensure_self_signed_certificate(tmp_path)
    assert _san(files.cert).get_values_for_type(x509.DNSName) == ["localhost"]
