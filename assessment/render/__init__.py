"""Renderers: one Report model drawn for people (terminal, Markdown) or machines (JSON).

Each renderer is a function `render(report, *, show_all=False) -> str`."""
