"""A real Kubernetes control plane on 127.0.0.1 for one test session: etcd and kube-apiserver
(built by scripts/tools.sh into the per-machine cache), a throwaway CA, serving certificate,
service-account key and bearer token, all in a temporary directory. Each process is bounded by
`timeout` and stopped on exit, whatever happens."""
import contextlib
import dataclasses
import secrets
import ssl
import subprocess
import tempfile
import time
import urllib.request

from aws_emulator import free_port, stop_process

LIFETIME = "1800"  # seconds: the longest a test session may keep the servers


@dataclasses.dataclass
class ControlPlane:
    url: str
    ca_pem: str
    ca_file: str
    token: str


def _openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def _pki(directory):
    ca_key, ca_crt = f"{directory}/ca.key", f"{directory}/ca.crt"
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
             "-subj", "/CN=mindhit-test-ca", "-keyout", ca_key, "-out", ca_crt)
    key, csr, crt, ext = f"{directory}/apiserver.key", f"{directory}/apiserver.csr", f"{directory}/apiserver.crt", f"{directory}/san.ext"
    with open(ext, "w") as handle:
        handle.write("subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\n")
    _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=kube-apiserver", "-keyout", key, "-out", csr)
    _openssl("x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey", ca_key, "-CAcreateserial", "-days", "1", "-extfile", ext, "-out", crt)
    sa_key, sa_pub = f"{directory}/sa.key", f"{directory}/sa.pub"
    _openssl("genrsa", "-out", sa_key, "2048")
    _openssl("rsa", "-in", sa_key, "-pubout", "-out", sa_pub)
    return ca_crt, key, crt, sa_key, sa_pub


def _wait(url, context, token, proc, log, timeout):
    deadline = time.monotonic() + timeout
    while True:
        try:
            request = urllib.request.Request(f"{url}/readyz", headers={"Authorization": f"Bearer {token}"})
            if urllib.request.urlopen(request, timeout=2, context=context).status == 200:
                return
        except OSError:
            pass
        if proc.poll() is not None:
            with open(log, errors="replace") as handle:
                raise RuntimeError(f"kube-apiserver exited:\n{handle.read()[-4000:]}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"kube-apiserver not ready on {url} within {timeout}s")
        time.sleep(0.5)


@contextlib.contextmanager
def control_plane(bin_dir, timeout=120.0):
    with tempfile.TemporaryDirectory(prefix="control-plane-") as directory:
        ca_crt, key, crt, sa_key, sa_pub = _pki(directory)
        token = secrets.token_urlsafe(32)
        with open(f"{directory}/tokens.csv", "w") as handle:
            handle.write(f'{token},mindhit-test-admin,mindhit-test-admin,"system:masters"\n')
        client, peer, port = free_port(), free_port(), free_port()
        etcd_log, api_log = f"{directory}/etcd.log", f"{directory}/kube-apiserver.log"
        with open(etcd_log, "w") as out:
            etcd = subprocess.Popen(
                ["timeout", LIFETIME, f"{bin_dir}/etcd", "--name", "test", "--data-dir", f"{directory}/etcd",
                 "--listen-client-urls", f"http://127.0.0.1:{client}", "--advertise-client-urls", f"http://127.0.0.1:{client}",
                 "--listen-peer-urls", f"http://127.0.0.1:{peer}", "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer}",
                 "--initial-cluster", f"test=http://127.0.0.1:{peer}", "--unsafe-no-fsync", "--log-level", "warn"],
                stdout=out, stderr=subprocess.STDOUT)
        try:
            with open(api_log, "w") as out:
                api = subprocess.Popen(
                    ["timeout", LIFETIME, f"{bin_dir}/kube-apiserver", "--etcd-servers", f"http://127.0.0.1:{client}",
                     "--bind-address", "127.0.0.1", "--advertise-address", "127.0.0.1", "--secure-port", str(port),
                     "--tls-cert-file", crt, "--tls-private-key-file", key, "--client-ca-file", ca_crt,
                     "--token-auth-file", f"{directory}/tokens.csv", "--authorization-mode", "RBAC",
                     "--service-account-issuer", "https://kubernetes.default.svc", "--service-account-key-file", sa_pub,
                     "--service-account-signing-key-file", sa_key, "--service-cluster-ip-range", "10.100.0.0/16",
                     "--cert-dir", directory],
                    stdout=out, stderr=subprocess.STDOUT)
            try:
                url = f"https://127.0.0.1:{port}"
                _wait(url, ssl.create_default_context(cafile=ca_crt), token, api, api_log, timeout)
                with open(ca_crt) as handle:
                    yield ControlPlane(url=url, ca_pem=handle.read(), ca_file=ca_crt, token=token)
            finally:
                stop_process(api, grace=15)
        finally:
            stop_process(etcd, grace=15)
