"""API keys: create (shown once), list, revoke; and ``/me`` for any caller.

Owns key administration over HTTP (admins only). The same can be done from the command
line with ``jixiao keys create --role …``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from service.api.deps import AdminDep, PrincipalDep, SessionDep, StateDep
from service.api.errors import ERROR_RESPONSES, error_responses
from service.api.schemas import KeyCreated, KeyOut, KeyRequest, Me
from service.store import keys
from service.store.documents import NotFoundError
from service.store.engine import transaction

router = APIRouter(tags=["keys"], responses=ERROR_RESPONSES)


@router.get("/me", response_model=Me, summary="Who the key belongs to, and its role")
def me(principal: PrincipalDep) -> Me:
    return Me(
        name=principal.name,
        role=principal.role.value,
        key_id=principal.key_id,
        via=principal.via,
    )


@router.post("/keys", status_code=201, response_model=KeyCreated, summary="Create a key")
def create_key(body: KeyRequest, state: StateDep, _: AdminDep) -> KeyCreated:
    with transaction(state.engine) as session:
        row, key = keys.create_key(session, name=body.name, role=body.role)
        return KeyCreated(**KeyOut.of(row).model_dump(), key=key)


@router.get("/keys", response_model=list[KeyOut], summary="All keys (without the keys)")
def list_keys(session: SessionDep, _: AdminDep) -> list[KeyOut]:
    return [KeyOut.of(row) for row in keys.list_keys(session)]


@router.delete(
    "/keys/{key_id}",
    response_model=KeyOut,
    summary="Revoke a key",
    responses=error_responses(409),  # the last active admin key
)
def revoke_key(
    key_id: Annotated[int, Path(ge=1, le=2**31 - 1)], state: StateDep, _: AdminDep
) -> KeyOut:
    with transaction(state.engine) as session:
        row = keys.revoke_key(session, key_id)
        if row is None:
            raise NotFoundError(f"no key {key_id}")
        return KeyOut.of(row)
