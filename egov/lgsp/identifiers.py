"""X-Road style identifiers: ``INSTANCE/CLASS/CODE[/SUBSYSTEM]`` for clients,
``…/SUBSYSTEM/SERVICECODE[/VERSION]`` for services."""

from __future__ import annotations

import re
from dataclasses import dataclass

_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,59}$")


@dataclass(frozen=True)
class ClientId:
    instance: str
    member_class: str
    member_code: str
    subsystem: str

    def __str__(self) -> str:
        return f"{self.instance}/{self.member_class}/{self.member_code}/{self.subsystem}"


def valid_part(part: str) -> bool:
    return bool(_PART.match(part))


def parse_client(text: str) -> ClientId | None:
    """A client subsystem identifier, or ``None`` when it is not one."""
    parts = text.strip().split("/")
    if len(parts) != 4 or not all(valid_part(part) for part in parts):
        return None
    return ClientId(*parts)


@dataclass(frozen=True)
class ServicePath:
    """The service named by a gateway path, and the rest of the path."""

    instance: str
    member_class: str
    member_code: str
    subsystem: str
    code: str
    rest: list[str]

    @property
    def without_version(self) -> str:
        return "/".join(
            [self.instance, self.member_class, self.member_code, self.subsystem, self.code]
        )


def parse_service_path(path: str) -> ServicePath | None:
    """``INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICECODE[/…rest]``; the version, when
    given, is the first part of ``rest`` (the registry knows which are versions)."""
    parts = path.split("/")
    if len(parts) < 5 or not all(valid_part(part) for part in parts[:5]):
        return None
    instance, member_class, member_code, subsystem, code = parts[:5]
    return ServicePath(instance, member_class, member_code, subsystem, code, rest=parts[5:])
