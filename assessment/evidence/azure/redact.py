"""No secret leaves a body the scan read: keys, passwords, connection strings, SAS signatures and
credentials are removed from every resource before it is kept (and so before any snapshot is
written). The scan never calls listKeys/listSecrets either; this guards what GETs may echo
(an App Insights connection string, a datastore's credentials, a compute's admin password).
A person's sign-in name in `systemData` (createdBy / lastModifiedBy of a User) is personal data that
no check needs (they read only who *kind* of principal acted): it is masked the same way."""

from __future__ import annotations

import re
from typing import Any

# Property names (lower-case, without separators) whose value is a secret or holds one.
_SECRET_NAMES = re.compile(
    r"(password|passwd|secret|connectionstring|instrumentationkey|accountkey|accesskey|primarykey"
    r"|secondarykey|sastoken|sasuri|sharedaccess|privatekey|clientsecret|credentials?|apikey|authkey"
    r"|adminuserpassword|token)$"
)
# Names ending like a secret that are not one (settings about secrets, not secrets).
_KEEP = {
    "disablelocalauth",
    "enablerbacauthorization",
    "keyvault",
    "keyvaultproperties",
    "credentialtype",
    "tokenendpoint",
    "authmode",
    "keysource",
    "keyvaulturi",
    "keyname",
    "keyversion",
    "keyidentifier",
    "keyvaultarmid",
    "keyid",
}
_SAS = re.compile(r"([?&](sig|sv|se|sp|st|spr|srt|ss|skoid|sktid)=)[^&\s\"']+", re.IGNORECASE)
_CONNECTION = re.compile(
    r"(AccountKey|SharedAccessKey|InstrumentationKey|Password|Pwd)=[^;\s\"']+", re.IGNORECASE
)
REDACTED = "[redacted]"
PERSON = "[a user]"
_PERSON_STAMPS = (("createdBy", "createdByType"), ("lastModifiedBy", "lastModifiedByType"))


def redact(value: Any) -> Any:
    """A copy of *value* with secret-looking properties dropped and secrets inside strings masked."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            name = re.sub(r"[^a-z0-9]", "", str(key).lower())
            if name not in _KEEP and _SECRET_NAMES.search(name):
                continue
            out[key] = redact(item)
        for who, kind in _PERSON_STAMPS:
            if who in out and str(out.get(kind, "")).lower() == "user":
                out[who] = PERSON
        return out
    if isinstance(value, list):
        return [redact(item) for item in value]
    if isinstance(value, str) and ("=" in value):
        return _CONNECTION.sub(lambda m: f"{m.group(1)}={REDACTED}", _SAS.sub(rf"\1{REDACTED}", value))
    return value
