"""Drives patkit's emulator with Microsoft's own Python SDK (`azure-devops` 7.1.0b4).

Run by tests/azure_devops_sdk.rs, never by hand against a real organization. Input comes from
the environment (the bearer never goes on the command line):

  PATKIT_SDK_ORG_URL      the emulator's organization URL, e.g. http://127.0.0.1:PORT/fabrikam
  PATKIT_SDK_BEARER       an emulator-issued bearer of an organization administrator
  PATKIT_SDK_DESCRIPTOR   the subject descriptor of the user whose PATs are listed
  PATKIT_SDK_PAGE_SIZE    the page size to list with
  PATKIT_SDK_REVOKE       the display-name prefix of the tokens to revoke
  PATKIT_SDK_RULE_SCOPES  the scopes of the revocation rule to create

The SDK finds every URL itself: `Connection` asks `GET {org}/_apis/ResourceAreas` where the
Token Admin area lives, the client asks `OPTIONS {area url}/_apis` for the locations, negotiates
the api-version against them and sends it in the `Accept` header.

Prints one JSON object on stdout: the ids listed (in order), the number of pages, the ids revoked,
the scopes of the rule created, and the exception a stranger's bearer gets. Exit status 0 only if every call succeeded.
"""

import json
import os
import sys

from azure.devops.connection import Connection
from azure.devops.v7_1.token_admin.models import TokenAdminRevocation, TokenAdminRevocationRule
from msrest.authentication import BasicTokenAuthentication


def main():
    org_url = os.environ["PATKIT_SDK_ORG_URL"]
    bearer = os.environ["PATKIT_SDK_BEARER"]
    descriptor = os.environ["PATKIT_SDK_DESCRIPTOR"]
    page_size = int(os.environ["PATKIT_SDK_PAGE_SIZE"])
    revoke_prefix = os.environ["PATKIT_SDK_REVOKE"]
    rule_scopes = os.environ["PATKIT_SDK_RULE_SCOPES"]

    connection = Connection(base_url=org_url, creds=BasicTokenAuthentication({"access_token": bearer}))
    client = connection.clients_v7_1.get_token_admin_client()

    listed = []
    to_revoke = []
    pages = 0
    continuation = None
    while True:
        page = client.list_personal_access_tokens(descriptor, page_size=page_size, continuation_token=continuation)
        pages += 1
        for token in page.value or []:
            listed.append(token.authorization_id)
            if token.display_name.startswith(revoke_prefix):
                to_revoke.append(token.authorization_id)
        continuation = page.continuation_token
        if not continuation:
            break
        if pages > 1000:
            raise RuntimeError("the listing did not end")

    client.revoke_authorizations([TokenAdminRevocation(authorization_id=i) for i in to_revoke])
    client.create_revocation_rule(TokenAdminRevocationRule(scopes=rule_scopes))

    # A bearer the service does not know: the SDK sends X-TFS-FedAuthRedirect: Suppress, so the
    # answer is a 401 WrappedException (not a sign-in page), which the SDK's _handle_error raises
    # as AzureDevOpsServiceError carrying the service's message.
    stranger = Connection(base_url=org_url, creds=BasicTokenAuthentication({"access_token": "not-a-known-token"}))
    auth_error = None
    try:
        stranger.clients_v7_1.get_token_admin_client().list_personal_access_tokens(descriptor, page_size=page_size)
    except Exception as error:  # noqa: BLE001 - the type and message are the result
        auth_error = {"type": type(error).__name__, "message": str(error)}

    json.dump(
        {
            "auth_error": auth_error,
            "listed": listed,
            "pages": pages,
            "revoked": to_revoke,
            "rule_scopes": rule_scopes,
            "token_admin_url": client.config.base_url,
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
