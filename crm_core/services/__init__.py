"""Write services: the single path through which every entry point creates and updates records."""

from crm_core.services.records import (
    ACCOUNT,
    ACTIVITY,
    CONTACT,
    DEAL,
    EMAIL,
    NOTE,
    SPECS,
    EntitySpec,
    WriteContext,
    create,
    get_visible,
    update_record,
    validate,
)

__all__ = [
    "ACCOUNT", "ACTIVITY", "CONTACT", "DEAL", "EMAIL", "NOTE", "SPECS", "EntitySpec", "WriteContext",
    "create", "get_visible", "update_record", "validate",
]
