"""An AWS API emulator (moto server) on 127.0.0.1 for one test session: started with a bounded
wait, stopped on exit. Tests point Terraform at it without touching the synthesized stacks:
providers through *_override.tf.json files, the S3 backend through `-backend-config` (a backend
block in an override file would replace the stack's block instead of merging into it)."""
import base64
import contextlib
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3

CREDENTIALS = {"access_key": "testing", "secret_key": "testing"}


def _exit_on_sigterm(signum, _frame):
    raise SystemExit(128 + signum)


# A stage stopped with SIGTERM (scripts/test-all.sh when another stage fails) still runs the
# fixtures' cleanup, so the emulator is always stopped.
signal.signal(signal.SIGTERM, _exit_on_sigterm)


def free_port():
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def self_signed_certificate(directory):
    """A throwaway certificate for 127.0.0.1 (one day), so clients can verify the emulator's TLS."""
    cert, key = os.path.join(directory, "emulator.crt"), os.path.join(directory, "emulator.key")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
        check=True, capture_output=True,
    )
    return cert, key


@contextlib.contextmanager
def moto_server(timeout=30.0, env=None, tls_dir=None):
    """moto on 127.0.0.1; with tls_dir, over HTTPS with a certificate made there (its path is the
    server's `ca_bundle`), for stacks whose policies refuse plain HTTP (aws:SecureTransport)."""
    port = free_port()
    server = os.path.join(os.path.dirname(os.path.abspath(__file__)), "emulator_server.py")
    args = [sys.executable, server, "-H", "127.0.0.1", "-p", str(port)]
    context = None
    if tls_dir:
        cert, key = self_signed_certificate(tls_dir)
        args += ["-s", "-c", cert, "-k", key]
        context = ssl.create_default_context(cafile=cert)
    # The request log goes to a file: a pipe nobody drains fills up and stalls the server.
    log = tempfile.NamedTemporaryFile(prefix="moto-", suffix=".log", delete=False)
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=log, env=dict(os.environ, **(env or {})))
    url = f"{'https' if tls_dir else 'http'}://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=1, context=context).read()
                break
            except OSError:
                if proc.poll() is not None:
                    with open(log.name, errors="replace") as handle:
                        raise RuntimeError(f"moto_server exited: {handle.read()[-3000:]}")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"moto_server did not answer on {url} within {timeout}s")
                time.sleep(0.2)
        yield url
    finally:
        stop_process(proc, grace=10)
        log.close()
        os.unlink(log.name)


def stop_process(proc, grace):
    """SIGTERM, then SIGKILL if it has not ended within `grace` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def moto_over_tls(tls_dir, env):
    """moto over TLS, trusted by everything the test starts (Terraform, its providers, boto3, the
    AWS CLI) through AWS_CA_BUNDLE. The stacks' bucket policies deny plain HTTP (aws:SecureTransport)."""
    with moto_server(env=env, tls_dir=tls_dir) as url:
        os.environ["AWS_CA_BUNDLE"] = os.path.join(tls_dir, "emulator.crt")
        yield url


def clients(url, region="ap-northeast-2", credentials=None):
    """service name -> a boto3 client of the emulator, with the emulator's default credentials (its
    default account) or `credentials` (operator_credentials: another account's)."""
    c = credentials or CREDENTIALS
    session = boto3.Session(aws_access_key_id=c["access_key"], aws_secret_access_key=c["secret_key"], aws_session_token=c.get("token"), region_name=region)
    return lambda service: session.client(service, endpoint_url=url)


_OPERATORS = {}


def operator_credentials(url, account, session="operator"):
    """A person's credentials in `account`: the emulator keeps accounts apart by credentials, and a
    role assumed in an account yields credentials of that account (moto's multi-account model)."""
    if (url, account, session) not in _OPERATORS:
        sts = clients(url)("sts")
        c = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/operator", RoleSessionName=session, DurationSeconds=43200)["Credentials"]
        _OPERATORS[(url, account, session)] = {"access_key": c["AccessKeyId"], "secret_key": c["SecretAccessKey"], "token": c["SessionToken"]}
    return _OPERATORS[(url, account, session)]


def cli_credentials(credentials):
    """The AWS CLI's environment variables for `credentials`."""
    return {"AWS_ACCESS_KEY_ID": credentials["access_key"], "AWS_SECRET_ACCESS_KEY": credentials["secret_key"], "AWS_SESSION_TOKEN": credentials.get("token", "")}


def s3_backend_config(url, identity=None, credentials=None):
    """HCL for `terraform init -backend-config=<file>`: merged into the stack's own backend block."""
    settings = s3_backend_settings(url, identity, credentials)
    objects = {k: v for k, v in settings.items() if isinstance(v, dict)}
    lines = [f"{k} = {json.dumps(v)}" for k, v in settings.items() if k not in objects]
    for key, value in objects.items():
        lines.append(f"{key} = {{ " + ", ".join(f"{k} = {json.dumps(v)}" for k, v in value.items()) + " }")
    return "\n".join(lines) + "\n"


def s3_backend_settings(url, identity=None, credentials=None):
    """What the harness adds to an environment stack's backend block to reach the emulator: the
    operator's credentials (`credentials`, else the default account's), or with `identity`
    (web_identity_role) a CI role's."""
    return {
        "endpoints": {"s3": url, "dynamodb": url, "sts": url, "iam": url},
        **((credentials or CREDENTIALS) if identity is None else {"assume_role_with_web_identity": identity}),
        "use_path_style": True,
        "skip_credentials_validation": True,
        "skip_requesting_account_id": True,
        "skip_metadata_api_check": True,
    }


def github_oidc_token(repository, subject):
    """A token shaped like the one GitHub Actions' OIDC provider issues to a job (claims as GitHub
    documents them), signed by nobody: the emulator's STS does not verify tokens, and the role's
    trust conditions on `aud` and `sub` are evaluated by the iam stage (test_iam.py)."""
    now = int(time.time())
    header = {"alg": "RS256", "typ": "JWT", "kid": "emulator"}
    claims = {
        "iss": "https://token.actions.githubusercontent.com", "aud": "sts.amazonaws.com", "sub": subject,
        "repository": repository, "repository_owner": repository.split("/")[0], "ref": "refs/heads/main",
        "event_name": "push", "iat": now, "nbf": now, "exp": now + 3600,
    }
    encode = lambda part: base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()
    return ".".join([encode(header), encode(claims), base64.urlsafe_b64encode(os.urandom(256)).rstrip(b"=").decode()])


def web_identity_role(directory, role_arn, repository, subject):
    """A CI role as Terraform assumes it in the workflows: AssumeRoleWithWebIdentity with a GitHub
    token (written to `directory`), for the AWS provider's and the S3 backend's
    `assume_role_with_web_identity`."""
    path = os.path.join(directory, f"{role_arn.rsplit('/', 1)[1]}.jwt")
    with open(path, "w") as handle:
        handle.write(github_oidc_token(repository, subject))
    return {"role_arn": role_arn, "web_identity_token_file": path, "session_name": "github-actions"}
