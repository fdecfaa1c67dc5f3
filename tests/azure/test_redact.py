"""What the Azure scan keeps of a body: no secret, no person's sign-in name, everything else."""

from __future__ import annotations

from mlops_ladder.assessment.evidence.azure.redact import PERSON, REDACTED, redact


def test_secrets_are_dropped_or_masked_and_settings_kept() -> None:
    body = {
        "properties": {
            "adminUserPassword": "S3cret!",
            "disableLocalAuth": True,
            "modelUri": "https://st.blob.core.windows.net/m/x.pkl?sv=2022&sig=Abc%3D",
            "connection": "AccountName=st;AccountKey=Key==",
        }
    }
    kept = redact(body)["properties"]
    assert "adminUserPassword" not in kept and kept["disableLocalAuth"] is True
    assert "Abc%3D" not in kept["modelUri"] and REDACTED in kept["modelUri"]
    assert kept["connection"] == f"AccountName=st;AccountKey={REDACTED}"


def test_a_persons_sign_in_name_is_masked_and_a_service_principals_id_kept() -> None:
    stamps = {
        "createdBy": "jane.doe@contoso.com",
        "createdByType": "User",
        "lastModifiedBy": "5b1d8f0e-app",
        "lastModifiedByType": "Application",
    }
    kept = redact({"systemData": stamps})["systemData"]
    assert kept["createdBy"] == PERSON and kept["createdByType"] == "User"
    assert kept["lastModifiedBy"] == "5b1d8f0e-app"
    assert stamps["createdBy"] == "jane.doe@contoso.com"  # the input is not changed
