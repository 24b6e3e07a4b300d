"""download.py: fetching against a local HTTP server; nothing unverified is left behind."""

import gzip
import http.server
import threading
from dataclasses import replace

import numpy as np
import pytest
from conftest import idx_bytes, synthetic_arrays, write_dataset

from fmstudy import FmstudyError, load_dataset
from fmstudy.data import registry
from fmstudy.data.download import fetch
from fmstudy.data.idx import LABEL_MAGIC

# --- downloads against a local HTTP server ----------------------------------


class Server:
    """Serves files from a dict on 127.0.0.1; 'cut' files stop mid-transfer."""

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.cut: set[str] = set()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                name = self.path.rsplit("/", 1)[-1]
                if name not in outer.files:
                    self.send_error(404)
                    return
                body = outer.files[name]
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if name in outer.cut:
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.connection.close()
                    return
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/files/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = Server()
    yield s
    s.close()


@pytest.fixture
def remote(tmp_path, server, monkeypatch):
    """A data set 'remote' whose files live only on the local server."""
    src = tmp_path / "remote"
    spec = write_dataset(src, synthetic_arrays(1))
    for f in spec.files:
        server.files[f.name] = (src / f.name).read_bytes()
    spec = replace(spec, mirrors=(server.url,))
    monkeypatch.setitem(registry.REGISTRY, "remote", spec)
    return spec, tmp_path / "cache"


def leftovers(folder):
    return sorted(p.name for p in folder.rglob("*") if p.is_file() and ".part" in p.name)


def test_download_good_files(remote):
    spec, data_dir = remote
    ds = load_dataset("remote", data_dir)
    assert np.array_equal(ds.y_train, synthetic_arrays(1)["train-labels"])
    assert sorted(p.name for p in (data_dir / "remote").glob("*.gz")) == sorted(
        f.name for f in spec.files
    )
    assert leftovers(data_dir) == []


def test_download_failing_checksum_leaves_nothing(remote, server):
    spec, data_dir = remote
    server.files["t10k-labels-idx1-ubyte.gz"] = gzip.compress(b"not the data")
    with pytest.raises(FmstudyError, match="missing t10k-labels-idx1-ubyte.gz.*checksum"):
        load_dataset("remote", data_dir)
    assert not (data_dir / "remote" / "t10k-labels-idx1-ubyte.gz").exists()
    assert leftovers(data_dir) == []


def test_server_gone_mid_transfer_leaves_only_verified_files(remote, server):
    spec, data_dir = remote
    server.cut.add("train-images-idx3-ubyte.gz")
    with pytest.raises(FmstudyError, match="train-images-idx3-ubyte.gz"):
        load_dataset("remote", data_dir)
    present = {p.name for p in (data_dir / "remote").iterdir()}
    assert "train-images-idx3-ubyte.gz" not in present
    assert leftovers(data_dir) == []
    # What is there is verified: once the server behaves, the rest completes.
    server.cut.clear()
    assert load_dataset("remote", data_dir).x_train.shape == (200, 28, 28)


def test_offline_names_missing_files_and_folder(remote, server):
    spec, data_dir = remote
    server.close()
    with pytest.raises(FmstudyError) as err:
        load_dataset("remote", data_dir)
    msg = str(err.value)
    assert "\n" not in msg
    assert "train-images-idx3-ubyte.gz" in msg and str(data_dir / "remote") in msg
    with pytest.raises(FmstudyError, match="missing"):
        load_dataset("remote", data_dir, download=False)


def test_archive_hash_only_records_decompressed_sum(tmp_path, server, monkeypatch):
    """KMNIST-style: only archive checksums are published; the raw SHA-256 is recorded."""
    src = tmp_path / "kstyle"
    spec = write_dataset(src, synthetic_arrays(2), archive_hash=True)
    for f in spec.files:
        server.files[f.name] = (src / f.name).read_bytes()
    spec = replace(spec, mirrors=(server.url,), license="CC BY-SA 4.0")
    monkeypatch.setitem(registry.REGISTRY, "kstyle", spec)
    data_dir = tmp_path / "cache"
    ds = load_dataset("kstyle", data_dir)
    sums = (data_dir / "kstyle" / "SHA256SUMS.raw").read_text()
    assert ds.sha256["train-images"] in sums and len(sums.splitlines()) == 4
    assert "CC BY-SA" in (data_dir / "kstyle" / "LICENSE.txt").read_text()
    # From now on the recorded raw hash guards the file.
    x = synthetic_arrays(2)["train-labels"].copy()
    x[0] = (x[0] + 1) % 10
    (data_dir / "kstyle" / "train-labels-idx1-ubyte.gz").write_bytes(
        gzip.compress(idx_bytes(x, LABEL_MAGIC))
    )
    with pytest.raises(FmstudyError, match="SHA-256"):
        load_dataset("kstyle", data_dir, use_cache=False)


def test_fetch_tries_next_mirror(remote, server):
    spec, data_dir = remote
    fetch(spec, data_dir, mirrors=("http://127.0.0.1:9/nothing/", server.url))
    assert len(list((data_dir / "remote").glob("*.gz"))) == 4
