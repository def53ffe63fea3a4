"""The pipelined connection the rate limiter uses, against a real Redis and fake servers."""

from __future__ import annotations

import asyncio
import time

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from apprenticeships.gateway.ratelimit import RedisRateLimiter
from apprenticeships.gateway.redisclient import PipelinedRedis
from apprenticeships.settings import RateLimitRule


async def test_concurrent_calls_get_their_own_replies(redis_url: tuple[str, str]) -> None:
    url, prefix = redis_url
    client = PipelinedRedis(url)
    try:
        await asyncio.gather(*(client.call("SET", f"{prefix}k{n}", n) for n in range(200)))
        values = await asyncio.gather(*(client.call("GET", f"{prefix}k{n}") for n in range(200)))
        assert values == [str(n).encode() for n in range(200)]
        with pytest.raises(ResponseError, match="wrong number of arguments"):
            await client.call("GET")
        assert await client.call("GET", f"{prefix}k7") == b"7"  # still in step after an error
    finally:
        await client.aclose()


async def test_scripts_are_reloaded_after_redis_forgets_them(redis_url: tuple[str, str]) -> None:
    url, prefix = redis_url
    client = PipelinedRedis(url)
    limiter = RedisRateLimiter(client, prefix)
    try:
        assert (await limiter.hit("s", RateLimitRule(5, 60))).remaining == 4
        await client.call("SCRIPT", "FLUSH")
        assert (await limiter.hit("s", RateLimitRule(5, 60))).remaining == 3
    finally:
        await client.aclose()


async def test_refused_connection_is_a_connection_error() -> None:
    client = PipelinedRedis("redis://127.0.0.1:1/0")
    with pytest.raises(RedisConnectionError):
        await client.call("PING")
    await client.aclose()


async def test_a_silent_server_times_out_and_a_restarted_one_is_reconnected() -> None:
    answering = False
    connections: list[asyncio.StreamWriter] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)
        while data := await reader.read(1024):
            if answering:
                writer.write(b"+PONG\r\n" * data.count(b"PING"))

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = PipelinedRedis(f"redis://127.0.0.1:{port}/0", timeout=0.2)
    try:
        started = time.monotonic()
        with pytest.raises(RedisTimeoutError):
            await client.call("PING")
        assert time.monotonic() - started < 1.0
        answering = True
        assert await client.call("PING") == b"PONG"  # a new connection after the timeout
        assert len(connections) == 2
    finally:
        await client.aclose()
        for writer in connections:
            writer.close()
        server.close()
        await server.wait_closed()
