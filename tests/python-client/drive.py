"""Drives a running vires server through a Python client generated from its /openapi.json
by openapi-python-client (scripts/python-client.sh generates it as `vires_client`).

A query, a what-if, a proposal by an editor and its approval by an approver, each through
the generated functions and models, as a client written against the published document
would. Expected values come from public documents, not from the server:

- A85001 (Fell Tower Medical Centre, Gateshead) has had 13T (NHS Newcastle Gateshead CCG)
  as its commissioner since 2015-04-01 (NHS Digital ODS epraccur); a CCG commissions
  secondary care (NHS Act 2006 s.3).
- Until 1 July 2022 NHS England could arrange for a CCG to exercise its functions
  (NHS Act 2006 s.13Z); 00T (NHS Bolton CCG) existed from 2013 to 2022, so a delegation of
  dental services to it from 2021-04-01 is valid and makes it NHS England's delegate.

Usage: drive.py BASE_URL ADMIN_TOKEN
"""

import datetime
import sys

from vires_client import AuthenticatedClient
from vires_client.api.admin import create_token, create_user
from vires_client.api.changes import approve_proposal, post_change
from vires_client.api.queries import who, whatif
# The models the document once lost (issue 27): a client must be able to write a change.
from vires_client.models import (
    AmendChanges,
    ChangeBody,
    DecisionBody,
    InstrumentInput,
    NewTokenBody,
    NewUserBody,
    RoleName,
    WhatIfBody,
)

DENTAL = "commissioning.primary-care.dental"
INSTRUMENT = {
    "id": "client-00t-dental",
    "title": "Delegation of dental to 00T (generated client)",
    "kind": "delegation",
    "basis": "National Health Service Act 2006 s.13Z",
    "maker": "X24",
    "receivers": {"bodies": ["00T"]},
    "functions": [DENTAL],
    "area": {"footprint": "00T"},
    "from": "2021-04-01",
    "source": "generated client test",
}


def ok(response, *statuses):
    if response.status_code not in statuses:
        sys.exit(f"expected {statuses}, got {response.status_code}: {response.content!r}")
    return response.parsed


def revision(response):
    return int(response.headers["vires-revision"])


def holders(answer):
    return [(h.body, str(h.role)) for h in answer.holders]


def main(base, admin_token):
    admin = AuthenticatedClient(base_url=base, token=admin_token, raise_on_unexpected_status=True)

    # A query.
    asked = who.sync_detailed(
        client=admin,
        function="commissioning.secondary-care",
        practice="A85001",
        on=datetime.date(2020, 6, 1),
    )
    answer = ok(asked, 200)
    assert ("13T", "statutory") in holders(answer), holders(answer)
    base_revision = revision(asked)

    # The instrument as the generated model, and back: nothing is lost on the way.
    instrument = InstrumentInput.from_dict(INSTRUMENT)
    assert instrument.to_dict()["area"] == {"footprint": "00T"}, instrument.to_dict()
    assert AmendChanges.from_dict({"until": "2022-07-01"}).to_dict() == {"until": "2022-07-01"}

    # A what-if through the generated body.
    tried = ok(whatif.sync_detailed(client=admin, body=WhatIfBody(instruments=[instrument])), 200)
    assert tried.valid, tried
    added = [(h.body, h.function) for h in tried.diff.added]
    assert ("00T", DENTAL) in added, added

    # Two people: an editor proposes, an approver approves.
    tokens = {}
    for name, role in [("client-editor", RoleName.EDITOR), ("client-approver", RoleName.APPROVER)]:
        ok(create_user.sync_detailed(client=admin, body=NewUserBody(name=name, role=role)), 201)
        made = ok(create_token.sync_detailed(client=admin, body=NewTokenBody(user=name, label="client")), 201)
        tokens[name] = made.token
    editor = AuthenticatedClient(base_url=base, token=tokens["client-editor"])
    approver = AuthenticatedClient(base_url=base, token=tokens["client-approver"])

    change = ChangeBody.from_dict(
        {
            "base_revision": base_revision,
            "reason": "generated client test",
            "change": {"op": "add-instrument", "instrument": instrument.to_dict()},
            "propose": True,
        }
    )
    proposal = ok(post_change.sync_detailed(client=editor, body=change), 202)
    published = ok(
        approve_proposal.sync_detailed(proposal.id, client=approver, body=DecisionBody(reason="agreed")),
        200,
        201,
    )
    assert published.revision == base_revision + 1, published.revision

    # The register now answers with the approved delegation.
    after = ok(
        who.sync_detailed(client=admin, function=DENTAL, body="00T", on=datetime.date(2021, 6, 1)),
        200,
    )
    delegate = [h for h in after.holders if h.body == "00T"]
    assert delegate and str(delegate[0].role) == "delegate", holders(after)
    assert delegate[0].proof[-1].instrument == INSTRUMENT["id"], delegate[0].proof


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
