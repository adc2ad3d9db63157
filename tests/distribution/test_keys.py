from __future__ import annotations

import pytest

from newswire.distribution.models import ApiKey, KeyRejected, hash_secret


def test_issued_key_is_prefix_dot_secret_and_only_a_hash_is_kept(partner):
    key, raw = ApiKey.issue(partner, "CMS")
    prefix, _, secret = raw.partition(".")
    assert prefix == key.prefix and len(secret) >= 40
    row = ApiKey.objects.filter(pk=key.pk).values().get()
    assert secret not in str(row) and row["secret_hash"] == hash_secret(secret)
    assert ApiKey.verify(raw).pk == key.pk


@pytest.mark.parametrize(
    ("mangle", "status", "message"),
    [
        (lambda raw: None, 401, "An API key is required"),
        (lambda raw: "nodot", 401, "Malformed"),
        (lambda raw: raw + "x", 401, "Unknown API key"),
        (lambda raw: "000000000000." + raw.split(".")[1], 401, "Unknown API key"),
    ],
)
def test_bad_keys_are_refused(api_key, mangle, status, message):
    with pytest.raises(KeyRejected) as info:
        ApiKey.verify(mangle(api_key))
    assert info.value.status == status and message in info.value.message


def test_revoked_key_and_suspended_partner(partner, api_key, admin_user):
    other_key, other_raw = ApiKey.issue(partner, "second")
    other_key.revoke()
    with pytest.raises(KeyRejected, match="revoked") as info:
        ApiKey.verify(other_raw)
    assert info.value.status == 401
    partner.suspend(by=admin_user, reason="unpaid")
    with pytest.raises(KeyRejected, match="suspended") as info:
        ApiKey.verify(api_key)
    assert info.value.status == 403
    partner.reinstate(by=admin_user)
    assert ApiKey.verify(api_key).partner == partner
    assert [d.action for d in partner.decisions.order_by("at")] == ["suspend", "reinstate"]


def test_revoking_or_suspending_takes_effect_at_once_with_the_cache_on(client, partner, settings):
    from newswire.distribution.models import ApiKey

    settings.NEWSWIRE_CACHE_SECONDS = 30
    key, raw = ApiKey.issue(partner, "cached")
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/stories", headers=headers).status_code == 200
    key.revoke()
    assert client.get("/api/v1/stories", headers=headers).status_code == 401
    _, raw2 = ApiKey.issue(partner, "second")
    headers2 = {"Authorization": f"Bearer {raw2}"}
    assert client.get("/feeds/rss/", headers=headers2).status_code == 200
    partner.suspend(by=None, reason="test")
    assert client.get("/feeds/rss/", headers=headers2).status_code == 403


def test_the_rate_count_is_written_in_batches_far_from_the_limit(client, partner, settings):
    from newswire.distribution.access import FLUSH_EVERY
    from newswire.distribution.models import ApiKey, RateWindow

    settings.NEWSWIRE_API_RATE_PER_MINUTE = 10_000
    _, raw = ApiKey.issue(partner, "busy")
    for _ in range(100):
        assert client.get("/feeds/rss/", headers={"X-Api-Key": raw}).status_code == 200
    written = RateWindow.objects.get(prefix=raw.split(".")[0]).count
    assert 100 - FLUSH_EVERY < written <= 100  # at most one batch not yet written
