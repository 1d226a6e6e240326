"""`pbvote keygen` and `pbvote sign`: an official's key made and used on their own machine."""

from __future__ import annotations

import json
import stat

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from api.cli import main
from pbvote.canonical import canonical_bytes
from pbvote.record.definition import Official
from pbvote.record.layout import archive_bytes, write_folder
from pbvote.record.manifest import add_signature, manifest_body, public_key_bytes, signature_problems, signing_message
from tally.sign_cli import load_key
from tests.unit.record.simulation import Simulation


def unsigned(sim: Simulation) -> dict[str, bytes]:
    """The simulated record as it awaits signatures: the manifest without any."""
    body = {name: data for name, data in sim.files.items() if name != "MANIFEST.json"}
    return {**body, "MANIFEST.json": canonical_bytes(manifest_body(body, sim.frozen.hash))}


def test_keygen_writes_a_private_key_only_its_owner_reads_and_prints_the_public_key(tmp_path, capsys):
    path = tmp_path / "alice.pem"
    assert main(["keygen", "--out", str(path)]) == 0
    public = bytes.fromhex(capsys.readouterr().out.strip())
    assert len(public) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert public_key_bytes(load_key(path)) == public
    assert main(["keygen", "--out", str(path)]) == 2  # never overwrites a key
    assert "File exists" in capsys.readouterr().err


def test_sign_a_manifest_file_gives_a_signature_the_verifier_accepts(sim: Simulation, tmp_path, capsys):
    files = unsigned(sim)
    manifest_path = tmp_path / "MANIFEST.json"
    manifest_path.write_bytes(files["MANIFEST.json"])
    manifest = json.loads(files["MANIFEST.json"])
    for name, key in sim.keys.items():
        key_path = tmp_path / f"{name}.pem"
        key_path.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
        assert main(["sign", str(manifest_path), "--key", str(key_path), "--official", name]) == 0
        body = json.loads(capsys.readouterr().out)
        assert body["official"] == name
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(body["public_key"])).verify(
            bytes.fromhex(body["signature"]), signing_message(manifest)
        )
        manifest = add_signature(
            manifest, Official(name, bytes.fromhex(body["public_key"])), bytes.fromhex(body["signature"])
        )
    assert signature_problems(manifest, sim.frozen.officials) == []
    # the signed manifest is the one the record published with the officials' keys on the server side
    assert canonical_bytes(manifest) == sim.files["MANIFEST.json"]


def test_sign_checks_a_record_against_its_manifest_before_signing(sim: Simulation, tmp_path, capsys):
    key_path = tmp_path / "alice.pem"
    key_path.write_bytes(sim.keys["alice"].private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    archive = tmp_path / "unsigned.zip"
    archive.write_bytes(archive_bytes(unsigned(sim)))
    assert main(["sign", str(archive), "--key", str(key_path), "--official", "alice"]) == 0
    capsys.readouterr()
    folder = write_folder(unsigned(sim), tmp_path / "record")
    (folder / "result.json").write_bytes(sim.files["result.json"].replace(b"p", b"q", 1))
    assert main(["sign", str(folder), "--key", str(key_path), "--official", "alice"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "result.json: SHA-256 is" in captured.err
    assert "refusing to sign" in captured.err


def test_sign_refuses_a_key_that_is_not_an_ed25519_pem(sim: Simulation, tmp_path, capsys):
    manifest_path = tmp_path / "MANIFEST.json"
    manifest_path.write_bytes(unsigned(sim)["MANIFEST.json"])
    bad = tmp_path / "bad.pem"
    bad.write_text("not a key\n")
    assert main(["sign", str(manifest_path), "--key", str(bad), "--official", "alice"]) == 2
    assert "bad.pem: not an unencrypted PEM private key" in capsys.readouterr().err
    assert main(["sign", str(manifest_path), "--key", str(tmp_path / "missing.pem"), "--official", "alice"]) == 2
    assert "missing.pem" in capsys.readouterr().err
