"""What the tests share: the named cast, the role tables, helpers that build data with the real actions.

Test modules import from here, never from one another or from a conftest (tests/test_floors.py checks
it); the fixtures that hand these out live in the root conftest.py.
"""
