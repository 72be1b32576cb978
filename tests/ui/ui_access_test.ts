import assert from "node:assert/strict";
import { base64url, newToken, TOKEN_BYTES, UiAccess } from "../../lib/ui/ui_access.ts";

function request(url: string, headers: Record<string, string>): Request {
  return new Request(url, { headers });
}

Deno.test("tokens are 256 random bits, base64url, never repeated", () => {
  const tokens = new Set(Array.from({ length: 100 }, newToken));
  assert.equal(tokens.size, 100);
  for (const token of tokens) assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  assert.ok(TOKEN_BYTES * 8 >= 128);
});

Deno.test("access: right Host, no foreign Origin; actions need the token in the URL", () => {
  const access = new UiAccess(8080, "secret-token");
  const host = { host: "127.0.0.1:8080" };
  const base = "http://127.0.0.1:8080";
  assert.deepEqual(access.check(request(access.url, host)), { ok: true, token: true });
  assert.deepEqual(
    access.check(request(`${base}/ws?token=secret-token`, { ...host, origin: base })),
    { ok: true, token: true },
  );
  // Static assets may come without it, but then the request carries no right to act.
  assert.deepEqual(access.check(request(`${base}/app.js`, host)), { ok: true, token: false });
  // A cookie counts for nothing: browsers send 127.0.0.1's cookies to every port.
  assert.deepEqual(
    access.check(
      request(`${base}/ws`, { ...host, origin: base, cookie: "p2pchat_ui_8080=secret-token" }),
    ),
    { ok: true, token: false },
  );
  const refused = (url: string, headers: Record<string, string>) => {
    const result = access.check(request(url, headers));
    return result.ok ? "ok" : result.reason;
  };
  assert.equal(refused(`${base}/?token=secret-tokeN`, host), "wrong token");
  assert.equal(refused(`${base}/ws?token=`, host), "wrong token");
  assert.equal(refused(access.url, { ...host, origin: "http://evil.example" }), "foreign Origin");
  assert.equal(refused(access.url, { ...host, origin: "http://127.0.0.1:8081" }), "foreign Origin");
  assert.equal(refused(access.url, { ...host, origin: "null" }), "foreign Origin");
  // DNS rebinding: evil.example resolving to 127.0.0.1 still says Host: evil.example.
  assert.equal(refused(access.url, { host: "evil.example:8080" }), "wrong Host");
  assert.equal(refused(access.url, { host: "127.0.0.1:8081" }), "wrong Host");
  assert.equal(refused(access.url, { host: "localhost:8080" }), "ok");
});

Deno.test("base64url() uses - and _ and no padding, as URL tokens do", () => {
  assert.equal(base64url(new Uint8Array([251, 255])), "-_8");
  assert.equal(base64url(new Uint8Array([0, 0, 0])), "AAAA");
  assert.equal(base64url(new Uint8Array()), "");
});
