"""Jixiao: read 部门整体支出绩效自评报告 into typed, grounded records."""

__version__ = "0.1.0"
