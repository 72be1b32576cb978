import assert from "node:assert/strict";
import {
  canOpen,
  contentDisposition,
  ReceivedFileError,
  receivedFileResponse,
} from "../../lib/ui/received_file.ts";
import { UiAccess } from "../../lib/ui/ui_access.ts";
import { tempDir } from "../e2e/cli_process.ts";
import { startUi } from "./browser.ts";

Deno.test("received file: served by its bare name as a download, pictures and text shown in a sandbox", async () => {
  await using dir = await tempDir();
  await Deno.writeFile(`${dir.path}/report.html`, new TextEncoder().encode("<script>x</script>"));
  await Deno.writeFile(`${dir.path}/photo.png`, new Uint8Array([137, 80, 78, 71]));

  const page = await receivedFileResponse(dir.path, "report.html", true);
  // Asked to open, a page a peer sent is still only downloaded: it never runs here.
  assert.equal(page.headers.get("content-type"), "application/octet-stream");
  assert.equal(
    page.headers.get("content-disposition"),
    `attachment; filename="report.html"; filename*=UTF-8''report.html`,
  );
  assert.match(page.headers.get("content-security-policy")!, /^sandbox;/);
  assert.equal(page.headers.get("x-content-type-options"), "nosniff");
  assert.equal(await page.text(), "<script>x</script>");

  const photo = await receivedFileResponse(dir.path, "photo.png", true);
  assert.equal(photo.headers.get("content-type"), "image/png");
  assert.match(photo.headers.get("content-disposition")!, /^inline; /);
  assert.equal(photo.headers.get("content-length"), "4");
  assert.match(photo.headers.get("content-security-policy")!, /^sandbox;/);
  await photo.body?.cancel();
  const saved = await receivedFileResponse(dir.path, "photo.png", false);
  assert.match(saved.headers.get("content-disposition")!, /^attachment; /);
  await saved.body?.cancel();

  assert.deepEqual(["a.TXT", "b.jpeg", "c.svg", "d.html", "e"].map(canOpen), [
    true,
    true,
    false,
    false,
    false,
  ]);
  assert.equal(
    contentDisposition("attachment", `été "1" (2).txt`),
    `attachment; filename="_t_ _1_ (2).txt"; filename*=UTF-8''%C3%A9t%C3%A9%20%221%22%20%282%29.txt`,
  );
});

Deno.test("received file: nothing outside the receive folder, no folder, no link, no temporary file", async () => {
  await using dir = await tempDir();
  const folder = `${dir.path}/received_files`;
  await Deno.mkdir(`${folder}/inner`, { recursive: true });
  await Deno.writeTextFile(`${dir.path}/secret.txt`, "secret");
  await Deno.writeTextFile(`${folder}/inner/deep.txt`, "deep");
  await Deno.symlink(`${dir.path}/secret.txt`, `${folder}/link.txt`);
  await Deno.writeTextFile(`${folder}/.p2pchat-${"0".repeat(32)}.tmp`, "half");
  const refusals: [string, number][] = [
    ["../secret.txt", 400],
    ["..", 400],
    ["inner/deep.txt", 400],
    ["inner\\deep.txt", 400],
    ["/etc/passwd", 400],
    ["C:secret.txt", 400],
    ["", 400],
    ["inner", 404],
    ["link.txt", 404],
    [`.p2pchat-${"0".repeat(32)}.tmp`, 404],
    ["missing.txt", 404],
  ];
  for (const [name, status] of refusals) {
    await assert.rejects(
      receivedFileResponse(folder, name, false),
      (error) => error instanceof ReceivedFileError && error.status === status,
      name,
    );
  }
});

Deno.test("received file: the UI serves a file only with its own ticket; traversal is refused", async () => {
  await using dir = await tempDir();
  await using ui = startUi("webby", dir.path);
  await Deno.mkdir(ui.receiveDir, { recursive: true });
  await Deno.writeTextFile(`${ui.receiveDir}/notes.txt`, "hello");
  await Deno.writeTextFile(`${dir.path}/webby/secret.txt`, "secret");
  const url = new URL(ui.url);
  const access = new UiAccess(Number(url.port), url.searchParams.get("token")!);
  const base = `http://127.0.0.1:${url.port}/files/`;
  const get = async (path: string) => {
    const response = await fetch(`${base}${path}`);
    return { status: response.status, text: await response.text() };
  };

  const ticket = access.fileTicket("notes.txt");
  assert.deepEqual(await get(`notes.txt?ticket=${ticket}`), { status: 200, text: "hello" });
  // No ticket, a wrong one, another file's, or the token itself: refused.
  assert.equal((await get("notes.txt")).status, 403);
  assert.equal((await get(`notes.txt?ticket=${ticket.slice(0, -1)}A`)).status, 403);
  assert.equal((await get(`notes.txt?ticket=${access.fileTicket("other.txt")}`)).status, 403);
  assert.equal((await get(`notes.txt?token=${access.token}`)).status, 403);
  // Traversal, even with a ticket for the very name (as the token's holder could make one).
  for (
    const name of ["../secret.txt", "..%2Fsecret.txt", "%2e%2e%2fsecret.txt", "..\\secret.txt"]
  ) {
    const decoded = decodeURIComponent(name);
    const response = await get(
      `${encodeURIComponent(decoded)}?ticket=${access.fileTicket(decoded)}`,
    );
    assert.equal(response.status, 400, name);
    assert.doesNotMatch(response.text, /secret$/);
  }
  // Dot segments in the address are resolved before the server sees them: not a file of ours.
  const dotted = await fetch(
    `${base}../webby/secret.txt?ticket=${access.fileTicket("secret.txt")}`,
  );
  assert.equal(dotted.status, 404);
  await dotted.body?.cancel();
  assert.equal((await get(`%E0%A4%A?ticket=${ticket}`)).status, 400);
  const posted = await fetch(`${base}notes.txt?ticket=${ticket}`, { method: "POST", body: "x" });
  assert.equal(posted.status, 405);
  await posted.body?.cancel();
});
