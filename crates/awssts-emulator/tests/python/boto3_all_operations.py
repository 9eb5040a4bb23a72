"""boto3 against the awssts emulator: every STS operation boto3 knows, with
the right secret (answered) and a wrong one (refused).

Run by tests/boto3.rs, which starts the emulator and passes its URL and a
few tokens only the emulator can make:

    boto3_all_operations.py URL
    env: TRADE_IN_TOKEN, AUTHZ_MESSAGE
"""

import base64
import datetime
import json
import os
import sys
import time

import boto3
import botocore.config
from botocore.exceptions import ClientError

URL = sys.argv[1]
KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
ROLE = "arn:aws:iam::123456789012:role/boto3"
PROVIDER = "arn:aws:iam::123456789012:saml-provider/ExampleIdP"
CONFIG = botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"})


def client(secret=SECRET, key=KEY, token=None):
    return boto3.client(
        "sts",
        region_name="us-east-1",
        endpoint_url=URL,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
        config=CONFIG,
    )


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def oidc_token():
    now = int(time.time())
    header = b64url(json.dumps({"alg": "RS256", "typ": "JWT", "kid": "k1"}).encode())
    payload = b64url(
        json.dumps(
            {
                "iss": "https://oidc.example.org",
                "sub": "boto3-user",
                "aud": "sts.amazonaws.com",
                "iat": now,
                "exp": now + 300,
            }
        ).encode()
    )
    return f"{header}.{payload}.{b64url(b'unchecked')}"


def saml_assertion():
    def t(delta):
        at = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=delta)
        return at.strftime("%Y-%m-%dT%H:%M:%SZ")

    xml = f"""<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r" Version="2.0" IssueInstant="{t(-1)}">
<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a" Version="2.0" IssueInstant="{t(-1)}">
<saml:Issuer>https://idp.example.org</saml:Issuer>
<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient">jdoe</saml:NameID></saml:Subject>
<saml:Conditions NotBefore="{t(-60)}" NotOnOrAfter="{t(300)}">
<saml:AudienceRestriction><saml:Audience>https://signin.aws.amazon.com/saml</saml:Audience></saml:AudienceRestriction>
</saml:Conditions>
<saml:AttributeStatement>
<saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role"><saml:AttributeValue>{ROLE},{PROVIDER}</saml:AttributeValue></saml:Attribute>
<saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName"><saml:AttributeValue>jdoe</saml:AttributeValue></saml:Attribute>
</saml:AttributeStatement>
</saml:Assertion>
</samlp:Response>"""
    return base64.b64encode(xml.encode()).decode()


def calls():
    """One call per operation: (name, signed, function of a client)."""
    return {
        "AssumeRole": (True, lambda c: c.assume_role(RoleArn=ROLE, RoleSessionName="boto3")),
        "AssumeRoleWithSAML": (
            False,
            lambda c: c.assume_role_with_saml(
                RoleArn=ROLE, PrincipalArn=PROVIDER, SAMLAssertion=saml_assertion()
            ),
        ),
        "AssumeRoleWithWebIdentity": (
            False,
            lambda c: c.assume_role_with_web_identity(
                RoleArn=ROLE, RoleSessionName="web", WebIdentityToken=oidc_token()
            ),
        ),
        "AssumeRoot": (
            True,
            lambda c: c.assume_root(
                TargetPrincipal="444455556666",
                TaskPolicyArn={"arn": "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"},
            ),
        ),
        "DecodeAuthorizationMessage": (
            True,
            lambda c: c.decode_authorization_message(EncodedMessage=os.environ["AUTHZ_MESSAGE"]),
        ),
        "GetAccessKeyInfo": (True, lambda c: c.get_access_key_info(AccessKeyId=KEY)),
        "GetCallerIdentity": (True, lambda c: c.get_caller_identity()),
        "GetDelegatedAccessToken": (
            True,
            lambda c: c.get_delegated_access_token(TradeInToken=os.environ["TRADE_IN_TOKEN"]),
        ),
        "GetFederationToken": (True, lambda c: c.get_federation_token(Name="boto3-fed")),
        "GetSessionToken": (True, lambda c: c.get_session_token(DurationSeconds=900)),
        "GetWebIdentityToken": (
            True,
            lambda c: c.get_web_identity_token(Audience=["https://api.example.com"], SigningAlgorithm="ES384"),
        ),
    }


def check(name, out):
    """What each answer must hold."""
    if name == "GetCallerIdentity":
        assert out["Arn"] == "arn:aws:iam::123456789012:user/emulator", out
        assert out["Account"] == "123456789012", out
    elif name == "GetAccessKeyInfo":
        assert out["Account"] == "123456789012", out
    elif name == "DecodeAuthorizationMessage":
        assert json.loads(out["DecodedMessage"])["context"]["action"] == "s3:GetObject", out
    elif name == "GetWebIdentityToken":
        assert out["WebIdentityToken"].count(".") == 2, "not a JWT"
    elif name == "GetDelegatedAccessToken":
        assert out["AssumedPrincipal"] == "arn:aws:iam::123456789012:user/emulator", out
    if "Credentials" in out:
        creds = out["Credentials"]
        assert creds["AccessKeyId"].startswith("ASIA"), creds["AccessKeyId"]
        assert len(creds["SecretAccessKey"]) == 40
        # The temporary credentials work for boto3 too.
        me = client(creds["SecretAccessKey"], creds["AccessKeyId"], creds["SessionToken"]).get_caller_identity()
        if name in ("AssumeRole", "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"):
            assert out["AssumedRoleUser"]["Arn"] == me["Arn"], (out, me)
        if name == "GetFederationToken":
            assert me["Arn"] == "arn:aws:sts::123456789012:federated-user/boto3-fed", me
        if name == "AssumeRoot":
            assert me["Arn"] == "arn:aws:iam::444455556666:root", me
    # Every answer carries STS's request id header.
    meta = out["ResponseMetadata"]
    assert meta["HTTPStatusCode"] == 200
    assert meta["RequestId"] and meta["HTTPHeaders"]["x-amzn-requestid"] == meta["RequestId"], meta


def main():
    known = set(boto3.client("sts", region_name="us-east-1").meta.service_model.operation_names)
    table = calls()
    missing = known - set(table)
    assert not missing, f"boto3 knows operations this script does not call: {sorted(missing)}"
    good, bad = client(), client("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEz")
    done = []
    for name in sorted(known):
        signed, call = table[name]
        check(name, call(good))
        if signed:
            try:
                call(bad)
            except ClientError as e:
                code = e.response["Error"]["Code"]
                assert code == "SignatureDoesNotMatch", (name, code)
                assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 403
            else:
                raise AssertionError(f"{name} with a wrong secret was accepted")
        done.append(name)
    print(json.dumps({"operations": done}))


if __name__ == "__main__":
    main()
