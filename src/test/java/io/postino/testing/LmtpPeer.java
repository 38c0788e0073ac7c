package io.postino.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real LMTP server, aiosmtpd's {@code LMTP} protocol class (Debian {@code python3-aiosmtpd}) in a
 * child process, on a unix-domain socket or on a TCP port of 127.0.0.1. Its handler takes every
 * RCPT and answers each recipient on its own after the final dot, by the recipient's local part:
 * {@code full...} gets {@code 452 4.2.2 Mailbox full}, {@code unknown...} gets
 * {@code 550 5.1.1 User unknown}, anyone else {@code 250 2.0.0 <address> Saved}. A missing
 * aiosmtpd fails the test (CI installs it, see {@code .ci/run}).
 */
public final class LmtpPeer implements AutoCloseable {

  /** One message the server took, and the reply each recipient got. */
  public record Delivery(List<String> recipients, List<String> replies, String content) {
  }

  private static final String SCRIPT = """
      import asyncio, json, os, sys
      from aiosmtpd.lmtp import LMTP

      connections = 0

      def reply(rcpt):
          local = rcpt.split('@')[0]
          if local.startswith('full'):
              return '452 4.2.2 <%s> Mailbox full' % rcpt
          if local.startswith('unknown'):
              return '550 5.1.1 <%s> User unknown' % rcpt
          return '250 2.0.0 <%s> Saved' % rcpt

      class Handler:
          async def handle_DATA(self, server, session, envelope):
              replies = [reply(r) for r in envelope.rcpt_tos]
              content = envelope.content.decode('utf-8', 'replace')
              print('DELIVERY ' + json.dumps({'recipients': envelope.rcpt_tos, 'replies': replies,
                                              'content': content}), flush=True)
              # LMTP: one reply per accepted recipient, in order (RFC 2033 section 4.2)
              return '\\r\\n'.join(replies)

      def factory():
          global connections
          connections += 1
          print('CONNECTION %d' % connections, flush=True)
          return LMTP(Handler(), hostname='lmtp.test')

      async def main(where):
          loop = asyncio.get_running_loop()
          if where.startswith('unix:'):
              server = await loop.create_unix_server(factory, where[5:])
              print('READY 0', flush=True)
          else:
              server = await loop.create_server(factory, '127.0.0.1', 0)
              print('READY %d' % server.sockets[0].getsockname()[1], flush=True)
          async with server:
              await server.serve_forever()

      asyncio.run(main(sys.argv[1]))
      """;

  private final Process process;
  private final BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
  private final AtomicInteger connections = new AtomicInteger();
  private final int port;

  private LmtpPeer(Process process) throws Exception {
    this.process = process;
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String ready = out.readLine();
    if (ready == null || !ready.startsWith("READY ")) {
      process.destroyForcibly();
      throw new AssertionError("aiosmtpd's LMTP server did not start (is python3-aiosmtpd installed?): "
          + new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }
    this.port = Integer.parseInt(ready.substring("READY ".length()).trim());
    Thread reader = new Thread(() -> read(out), "lmtp-peer");
    reader.setDaemon(true);
    reader.start();
  }

  /** An LMTP server on the unix-domain socket {@code socket}. */
  public static LmtpPeer onUnixSocket(Path socket, Path work) throws Exception {
    return start("unix:" + socket, work);
  }

  /** An LMTP server on a free TCP port of 127.0.0.1. */
  public static LmtpPeer onTcp(Path work) throws Exception {
    return start("tcp", work);
  }

  private static LmtpPeer start(String where, Path work) throws Exception {
    Path script = work.resolve("lmtp_peer.py");
    Files.writeString(script, SCRIPT);
    Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), where).start();
    return new LmtpPeer(p);
  }

  private void read(BufferedReader out) {
    try {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        if (line.startsWith("CONNECTION ")) {
          connections.incrementAndGet();
        } else if (line.startsWith("DELIVERY ")) {
          io.vertx.core.json.JsonObject json = new io.vertx.core.json.JsonObject(line.substring("DELIVERY ".length()));
          deliveries.add(new Delivery(json.getJsonArray("recipients").stream().map(String::valueOf).toList(),
              json.getJsonArray("replies").stream().map(String::valueOf).toList(), json.getString("content")));
        }
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  /** The TCP port (0 on a unix socket). */
  public int port() {
    return port;
  }

  /** Connections accepted so far. */
  public int connections() {
    return connections.get();
  }

  /** The next message taken, waiting up to 20 s. */
  public Delivery next() throws InterruptedException {
    Delivery d = deliveries.poll(20, TimeUnit.SECONDS);
    if (d == null) {
      throw new AssertionError("the LMTP server took no message within 20 s");
    }
    return d;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
