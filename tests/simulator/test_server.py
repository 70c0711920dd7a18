"""Server modes: HTTPS/WSS with a given SSL context, and the real-time clock."""

import asyncio
import datetime
import ipaddress
import ssl
from pathlib import Path

import aiohttp
import pytest

from emby_simulator import EmbySimulator, SimulatorConfig

from .conftest import API_KEY, HEADERS


def self_signed(directory: Path) -> ssl.SSLContext:
    """A server context with a fresh self-signed certificate for 127.0.0.1."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "emby-simulator")])
    now = datetime.datetime.now(datetime.UTC)

    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return context


@pytest.mark.usefixtures("socket_enabled")
async def test_https_and_wss(tmp_path: Path) -> None:
    """With ssl_context the server speaks https and wss; verification fails on the self-signed
    certificate unless turned off (what the integration's verify_ssl tests need)."""
    config = SimulatorConfig(api_key=API_KEY, ssl_context=self_signed(tmp_path))
    async with EmbySimulator(config) as sim, aiohttp.ClientSession() as http:
        assert sim.url.startswith("https://")
        with pytest.raises(aiohttp.ClientConnectorCertificateError):
            await http.get(sim.url + "/System/Info/Public")
        async with http.get(sim.url + "/System/Info", headers=HEADERS, ssl=False) as response:
            info = await response.json()
        assert info["SupportsHttps"] is True
        ws = await http.ws_connect(
            sim.url.replace("https", "wss") + f"/embywebsocket?api_key={API_KEY}&deviceId=x",
            ssl=False,
        )
        assert (await ws.receive_json(timeout=5))["MessageType"] == "ForceKeepAlive"
        await ws.close()


@pytest.mark.usefixtures("socket_enabled")
async def test_realtime_clock_moves_by_itself() -> None:
    """realtime=True: simulated time follows wall time and playing positions move."""
    config = SimulatorConfig(api_key=API_KEY, realtime=True)
    async with EmbySimulator(config) as sim:
        playing = next(s for s in sim.sessions if s.is_playing and not s.is_paused)
        before = playing.position_ticks
        for _ in range(100):
            if sim.clock.seconds >= 1:
                break
            await asyncio.sleep(0.05)
        assert sim.clock.seconds >= 1
        assert playing.position_ticks > before or playing.now_playing is None
