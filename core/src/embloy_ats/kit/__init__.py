"""The partner-engineer kit: scaffold a connector, record cassettes, check them, build the docs.

Everything here serves the person adding an ATS: `embloy-ats new`, `embloy-ats record`,
`embloy-ats cassettes check` and the generated documentation pages.
"""
