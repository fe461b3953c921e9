"""Indexes the back-office search needs on the accounts table (no tables of its own).

Prefix search (``lower(last_name) LIKE 'mar%'``) can use a b-tree only with a
pattern operator class on PostgreSQL (unless the database collation is "C");
SQLite ignores the operator class. ``users.email`` is stored lower-case.
"""
from sqlalchemy import Index, func

from core.auth.models import User

Index("ix_users_last_name_prefix", func.lower(User.last_name).label("last_name_lower"),
      postgresql_ops={"last_name_lower": "varchar_pattern_ops"})
Index("ix_users_first_name_prefix", func.lower(User.first_name).label("first_name_lower"),
      postgresql_ops={"first_name_lower": "varchar_pattern_ops"})
Index("ix_users_email_prefix", User.email, postgresql_ops={"email": "varchar_pattern_ops"})
Index("ix_users_last_name_sort", func.lower(User.last_name), User.id)
