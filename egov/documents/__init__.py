"""Incoming official documents (văn bản đến) under Nghị định 30/2020/NĐ-CP."""
