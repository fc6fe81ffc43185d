from shared.auth import tokens


def test_generated_tokens_have_the_contract_format_and_are_unique():
    generated = {tokens.generate_token() for _ in range(200)}
    assert len(generated) == 200
    assert all(tokens.is_well_formed(t) and len(t) == 35 for t in generated)


def test_hash_is_sha256_hex_and_prefix_is_eight_characters():
    token = "tt_" + "a" * 32
    assert len(tokens.hash_token(token)) == 64
    assert tokens.hash_token(token) != tokens.hash_token("tt_" + "b" * 32)
    assert tokens.token_prefix(token) == "tt_aaaaa"


def test_malformed_tokens_are_rejected_before_any_lookup():
    for bad in ("", "tt_short", "xx_" + "a" * 32, "tt_" + "a" * 33, "tt_" + "a" * 31 + "!"):
        assert not tokens.is_well_formed(bad)


def test_scope_rules():
    assert tokens.grants(["read:projects"], "read:projects")
    assert not tokens.grants(["read:projects"], "write:projects")
    assert tokens.grants(["read:*"], "read:clients")
    assert not tokens.grants(["read:*"], "write:clients")
    assert tokens.grants(["write:*"], "write:tasks")
    assert not tokens.grants(["write:*", "read:*"], "admin:all")
    assert tokens.grants(["admin:all"], "write:projects")
    assert tokens.unknown_scopes(["read:projects", "read:*", "fly:away"]) == ["fly:away"]


def test_token_is_taken_from_bearer_or_api_key_header_case_insensitively():
    t = "tt_" + "c" * 32
    assert tokens.extract_token({"Authorization": f"Bearer {t}"}) == t
    assert tokens.extract_token({"authorization": f"bearer {t}"}) == t
    assert tokens.extract_token({"X-API-Key": t}) == t
    assert tokens.extract_token({"x-api-key": f"  {t} "}) == t
    assert tokens.extract_token({"Authorization": f"Basic {t}"}) is None
    assert tokens.extract_token({}) is None


def test_hash_comparison_is_constant_time_compare():
    assert tokens.hashes_match("ab" * 32, "ab" * 32)
    assert not tokens.hashes_match("ab" * 32, "ba" * 32)
