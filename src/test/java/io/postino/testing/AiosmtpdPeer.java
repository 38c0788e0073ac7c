package io.postino.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real SMTP server for delivery tests: aiosmtpd (Debian {@code python3-aiosmtpd}, installed by
 * {@code .ci/run}; a missing one fails the test) on 127.0.0.1, which stores every message it takes.
 * Strict, it runs with {@code decode_data=True} and without SMTPUTF8: it announces neither 8BITMIME
 * nor SMTPUTF8, and refuses content with an 8-bit octet ({@code 500 Error: strict ASCII mode}) or
 * a line over 998 octets ({@code 500 Line too long}); otherwise it announces 8BITMIME.
 */
public final class AiosmtpdPeer implements AutoCloseable {

  /** A message the peer took: where it stored it, the envelope sender, and the MAIL parameters. */
  public record Stored(Path file, String sender, String mailOptions) {
    public byte[] content() throws IOException {
      return Files.readAllBytes(file);
    }
  }

  private static final String SCRIPT = """
      import asyncio, os, sys
      from aiosmtpd.smtp import SMTP
      out, strict = sys.argv[1], sys.argv[2] == 'strict'
      class Store:
          def __init__(self):
              self.count = 0
          async def handle_DATA(self, server, session, envelope):
              self.count += 1
              path = os.path.join(out, 'message-%d' % self.count)
              with open(path, 'wb') as f:
                  f.write(envelope.original_content)
              print('STORED ' + path + ' ' + (envelope.mail_from or '<>') + ' ' + ' '.join(envelope.mail_options),
                  flush=True)
              return '250 2.0.0 stored'
      async def main():
          loop = asyncio.get_running_loop()
          handler = Store()
          server = await loop.create_server(lambda: SMTP(handler, decode_data=strict, enable_SMTPUTF8=not strict,
              hostname='peer.test'), '127.0.0.1', 0)
          print('PORT %d' % server.sockets[0].getsockname()[1], flush=True)
          await server.serve_forever()
      asyncio.run(main())
      """;

  private final Process process;
  private final BlockingQueue<String> said = new LinkedBlockingQueue<>();
  private final int port;

  /**
   * @param strict 7-bit only (no 8BITMIME, no SMTPUTF8), or 8BITMIME and SMTPUTF8
   */
  public AiosmtpdPeer(Path dir, boolean strict) throws IOException {
    Path script = dir.resolve("aiosmtpd-peer.py");
    Files.writeString(script, SCRIPT);
    Path stored = Files.createDirectories(dir.resolve("aiosmtpd-stored"));
    try {
      process = new ProcessBuilder("/usr/bin/python3", script.toString(), stored.toString(), strict ? "strict" : "8bit")
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    } catch (IOException e) {
      throw new AssertionError("python3 cannot run (Debian: apt-get install python3-aiosmtpd)", e);
    }
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String first = out.readLine();
    if (first == null || !first.startsWith("PORT ")) {
      process.destroy();
      throw new AssertionError("aiosmtpd did not start (Debian: apt-get install python3-aiosmtpd): " + first);
    }
    port = Integer.parseInt(first.substring(5).trim());
    Thread reader = new Thread(() -> {
      try {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
          said.add(line);
        }
      } catch (IOException e) {
        // the peer is gone: next() times out
      }
    }, "aiosmtpd-peer");
    reader.setDaemon(true);
    reader.start();
  }

  public int port() {
    return port;
  }

  /** The next message the peer took (waits up to 30 s for it to say so). */
  public Stored next() throws InterruptedException {
    String line = said.poll(30, TimeUnit.SECONDS);
    if (line == null || !line.startsWith("STORED ")) {
      throw new AssertionError("aiosmtpd stored nothing: " + line);
    }
    String[] words = line.substring(7).split(" ", 3);
    return new Stored(Path.of(words[0]), words[1], words.length > 2 ? words[2] : "");
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    process.waitFor(10, TimeUnit.SECONDS);
  }
}
