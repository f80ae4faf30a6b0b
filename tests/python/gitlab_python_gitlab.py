"""Drives patkit's GitLab emulator with python-gitlab (4.13.0), a client no one here wrote.

Run by tests/gitlab/python_gitlab.rs, never by hand against a real instance. Input comes from
the environment (secrets never go on the command line):

  PATKIT_GL_URL           the emulator's base URL, e.g. http://127.0.0.1:PORT (python-gitlab adds /api/v4)
  PATKIT_GL_ALICE         a PAT of Alice (scope api)
  PATKIT_GL_SELF_ROTATE   a PAT of Alice with only the self_rotate scope
  PATKIT_GL_MAINTAINER    a PAT of Maria, Maintainer of the project (scope api)
  PATKIT_GL_ADMIN         a PAT of an instance administrator (scopes api, sudo)
  PATKIT_GL_BOB_TOKEN_ID  the id of one of Bob's tokens (foreign to Alice)
  PATKIT_GL_PROJECT       the project's path (group/project)
  PATKIT_GL_ALICE_ID      Alice's user id
  PATKIT_GL_EXPIRES       the expires_at date to rotate and create with (YYYY-MM-DD)
  PATKIT_GL_PER_PAGE      the page size to list with

Prints one JSON object on stdout describing what python-gitlab saw; exit status 0 only if every
call that should succeed did. Secrets are never printed: only whether they look like glpat- values.
"""

import json
import os
import warnings

import gitlab
from gitlab import exceptions


def env(name):
    return os.environ[name]


def is_glpat(value):
    return isinstance(value, str) and value.startswith("glpat-") and len(value) > 6


def error_of(call):
    """Runs call, which must fail; returns the python-gitlab exception's class and status."""
    try:
        call()
    except exceptions.GitlabError as e:
        return {"type": type(e).__name__, "code": e.response_code, "message": str(e.error_message)}
    raise AssertionError("the call succeeded but should have failed")


def main():
    # Any "base URL differs" warning from python-gitlab means our Link headers are wrong.
    warnings.simplefilter("error")
    url = env("PATKIT_GL_URL")
    expires = env("PATKIT_GL_EXPIRES")
    per_page = int(env("PATKIT_GL_PER_PAGE"))
    out = {}

    alice = gitlab.Gitlab(url, private_token=env("PATKIT_GL_ALICE"))
    alice.auth()
    out["whoami"] = alice.user.username

    # List with pagination: python-gitlab follows Link rel="next" and reads the x-* headers.
    pages = alice.personal_access_tokens.list(iterator=True, per_page=per_page)
    out["list_total"] = pages.total
    out["list_total_pages"] = pages.total_pages
    out["list_per_page"] = pages.per_page
    listed = [t.id for t in pages]
    out["listed"] = listed
    out["listed_all"] = [t.id for t in alice.personal_access_tokens.list(get_all=True, per_page=per_page)]
    out["first_page"] = [t.id for t in alice.personal_access_tokens.list(per_page=per_page, page=1)]
    out["active"] = [t.id for t in alice.personal_access_tokens.list(get_all=True, state="active")]
    out["revoked"] = [t.id for t in alice.personal_access_tokens.list(get_all=True, revoked=True)]
    out["search"] = [t.id for t in alice.personal_access_tokens.list(get_all=True, search="deploy")]
    out["secret_in_list"] = any("token" in t.attributes for t in alice.personal_access_tokens.list(get_all=True))

    # Get, and get self.
    first = alice.personal_access_tokens.get(listed[0])
    out["get"] = {"id": first.id, "name": first.name, "has_token": "token" in first.attributes,
                  "expires_at": first.expires_at, "active": first.active}
    me = alice.personal_access_tokens.get("self")
    out["self"] = {"id": me.id, "name": me.name, "scopes": me.scopes}

    # 401, not 404, for someone else's token.
    out["foreign_get"] = error_of(lambda: alice.personal_access_tokens.get(int(env("PATKIT_GL_BOB_TOKEN_ID"))))

    # Rotate through the object: python-gitlab updates it in place with the new id and secret.
    target = next(t for t in alice.personal_access_tokens.list(get_all=True, search="rotate-me"))
    old_id = target.id
    target.rotate(expires_at=expires)
    out["rotated"] = {"old_id": old_id, "new_id": target.id, "token_is_glpat": is_glpat(target.token),
                      "expires_at": target.expires_at, "name": target.name}
    # Rotating the old id again (a retried rotate): 400, and the whole family is revoked.
    out["rerotate"] = error_of(lambda: alice.personal_access_tokens.rotate(old_id, expires_at=expires))
    out["after_rerotate"] = alice.personal_access_tokens.get(target.id).revoked

    # Self-rotate with a token that only has the self_rotate scope.
    selfish = gitlab.Gitlab(url, private_token=env("PATKIT_GL_SELF_ROTATE"))
    rotated = selfish.personal_access_tokens.rotate("self", expires_at=expires)
    out["self_rotated"] = {"id": rotated["id"], "token_is_glpat": is_glpat(rotated["token"]),
                           "expires_at": rotated["expires_at"]}
    # The old secret is dead (revoked), the new one works.
    out["old_self_secret"] = error_of(lambda: selfish.personal_access_tokens.get("self"))
    renewed = gitlab.Gitlab(url, private_token=rotated["token"])
    out["new_self_secret_id"] = renewed.personal_access_tokens.get("self").id

    # Revoke: soft, the token stays listed with revoked true.
    doomed = next(t for t in alice.personal_access_tokens.list(get_all=True, search="revoke-me"))
    alice.personal_access_tokens.delete(doomed.id)
    out["revoked_id"] = doomed.id
    out["revoked_still_listed"] = any(
        t.id == doomed.id and t.revoked for t in alice.personal_access_tokens.list(get_all=True))

    # An admin creates a token for Alice.
    admin = gitlab.Gitlab(url, private_token=env("PATKIT_GL_ADMIN"))
    created = admin.users.get(int(env("PATKIT_GL_ALICE_ID")), lazy=True).personal_access_tokens.create(
        {"name": "made-by-admin", "scopes": ["read_api"], "expires_at": expires})
    out["admin_created"] = {"id": created.id, "user_id": created.user_id, "token_is_glpat": is_glpat(created.token),
                            "scopes": created.scopes}
    out["admin_lists_alice"] = sorted(
        t.id for t in admin.personal_access_tokens.list(get_all=True, user_id=int(env("PATKIT_GL_ALICE_ID"))))
    # ... and Alice may not create for anyone.
    out["non_admin_create"] = error_of(
        lambda: alice.users.get(int(env("PATKIT_GL_ALICE_ID")), lazy=True).personal_access_tokens.create(
            {"name": "nope", "scopes": ["api"], "expires_at": expires}))

    # Project access tokens, as the project's Maintainer.
    maria = gitlab.Gitlab(url, private_token=env("PATKIT_GL_MAINTAINER"))
    project = maria.projects.get(env("PATKIT_GL_PROJECT"), lazy=True)
    before = [t.id for t in project.access_tokens.list(get_all=True)]
    pat = project.access_tokens.create(
        {"name": "ci-deploy", "scopes": ["read_repository", "write_repository"], "access_level": 30,
         "expires_at": expires})
    created_id = pat.id
    out["project_created"] = {"id": pat.id, "token_is_glpat": is_glpat(pat.token), "access_level": pat.access_level,
                              "scopes": pat.scopes, "user_id": pat.user_id}
    fetched = project.access_tokens.get(created_id)
    out["project_get"] = {"id": fetched.id, "has_token": "token" in fetched.attributes}
    pat.rotate(expires_at=expires)
    out["project_rotated"] = {"old_id": created_id, "new_id": pat.id, "token_is_glpat": is_glpat(pat.token)}
    project.access_tokens.delete(pat.id)
    after = project.access_tokens.list(get_all=True)
    out["project_before"] = before
    out["project_after"] = [{"id": t.id, "revoked": t.revoked, "active": t.active} for t in after]
    out["project_rerotate"] = error_of(lambda: project.access_tokens.rotate(created_id))

    print(json.dumps(out))


if __name__ == "__main__":
    main()
