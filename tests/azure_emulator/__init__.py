"""A local HTTPS emulator of Azure Resource Manager for tests and benchmarks: it serves estates built
from Microsoft's published example payloads (../shared/azure-api-examples), pages long lists with
nextLink, answers Azure Resource Graph queries, and injects faults (403, 429 with Retry-After, 500,
slow replies, malformed JSON). It records every request, and answers any write or secret-listing
call (a POST other than the Resource Graph query, listKeys, listSecrets...) with a failure that
the tests assert never happened."""
