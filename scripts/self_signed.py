"""A throwaway self-signed certificate for the emulator's ACM (ImportCertificate).

Imported by seed_demo.py; run on its own (`python scripts/self_signed.py DOMAIN`) it prints
{"certificate": PEM, "key": PEM} for the end-to-end tests. Uses `cryptography`, which moto
already depends on. Nothing here is a real credential: a fresh key each run, never stored.
"""

import datetime
import json
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def self_signed(domain, days=365):
    """(certificate PEM, private key PEM) for `domain`, valid for `days` from now."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(domain)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return (
        certificate.public_bytes(serialization.Encoding.PEM).decode(),
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        ).decode(),
    )


if __name__ == "__main__":
    cert, key = self_signed(sys.argv[1])
    print(json.dumps({"certificate": cert, "key": key}))
