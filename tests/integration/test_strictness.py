"""Request smuggling and malformed input through the real binary: each vector gets its 4xx,
is counted, and nothing reaches the origin (SPEC §8)."""
import pytest

from conftest import raw_exchange_closed, status_of

H = b"Host: a\r\n"
VECTORS = [
    ("cl_and_te", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    ("te_and_cl", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n", 400),
    ("two_cl_differ", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 4\r\nContent-Length: 5\r\n\r\nabcde", 400),
    ("cl_list_differ", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 4, 5\r\n\r\nabcde", 400),
    ("cl_negative", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: -1\r\n\r\n", 400),
    ("cl_plus", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: +4\r\n\r\nabcd", 400),
    ("cl_hex", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 0x4\r\n\r\nabcd", 400),
    ("cl_overflow", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 99999999999999999999999\r\n\r\n", 400),
    ("te_gzip_chunked", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 400),
    ("te_chunked_twice", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", 400),
    ("te_identity", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: identity\r\n\r\n", 400),
    ("te_xchunked", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 400),
    ("te_chunked_not_last", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n0\r\n\r\n", 400),
    ("te_on_http10", b"POST / HTTP/1.0\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    ("te_space_before_colon", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n", 400),
    ("obs_fold", b"GET / HTTP/1.1\r\n" + H + b"X-A: b\r\n c\r\n\r\n", 400),
    ("ws_before_colon", b"GET / HTTP/1.1\r\n" + H + b"X-A : b\r\n\r\n", 400),
    ("bare_lf", b"GET / HTTP/1.1\n" + H + b"\n", 400),
    ("bare_cr", b"GET / HTTP/1.1\r\n" + H + b"X-A: b\rc\r\n\r\n", 400),
    ("nul_in_value", b"GET / HTTP/1.1\r\n" + H + b"X-A: b\x00c\r\n\r\n", 400),
    ("ctl_in_value", b"GET / HTTP/1.1\r\n" + H + b"X-A: b\x01c\r\n\r\n", 400),
    ("bad_header_name", b"GET / HTTP/1.1\r\n" + H + b"X(A): b\r\n\r\n", 400),
    ("bad_method", b"G(T / HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("space_in_target", b"GET /a b HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("missing_host", b"GET / HTTP/1.1\r\n\r\n", 400),
    ("duplicate_host", b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
    ("bad_chunk_size", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", 400),
    ("chunk_size_overflow", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\nabc\r\n0\r\n\r\n", 400),
    ("chunk_bad_terminator", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n3\r\nabcXX0\r\n\r\n", 400),
    ("bad_version", b"GET / HTTP/1.x\r\n" + H + b"\r\n", 400),
    ("http2_version", b"GET / HTTP/2.0\r\n" + H + b"\r\n", 505),
    ("garbage", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 400),
]


@pytest.mark.parametrize("name,raw,expected", VECTORS, ids=[v[0] for v in VECTORS])
def test_malformed_request_rejected_and_not_forwarded(make_proxy, origin, name, raw, expected):
    p = make_proxy()
    before = origin.requests_seen()
    answer, closed = raw_exchange_closed(p.port, raw, timeout=3)
    assert status_of(answer) == expected, answer[:200]
    # the answer says Connection: close, and the proxy does close (also when a chunked body had
    # begun to go upstream before its framing turned out bad)
    assert b"connection: close" in answer.lower() and closed
    # the counter request itself is the only one the origin sees
    assert origin.requests_seen() == before + 1, "a malformed request reached the origin"
    assert p.metric("consentry_bad_requests_total") >= 1
