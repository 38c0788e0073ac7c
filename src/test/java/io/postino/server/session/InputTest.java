package io.postino.server.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The unread input of a session, scanned in the read's own array wherever that array starts. */
class InputTest {

  private static String unread(Input input) {
    return new String(input.bytes(), input.position(), input.remaining(), StandardCharsets.US_ASCII);
  }

  @Test
  void aReadIsScannedInItsOwnArrayFromWhereItsBytesStart() {
    Buffer array = Buffer.buffer("xxxNOOP\r\nMAyyy");
    Buffer read = array.slice(3, 11);
    Input input = new Input();
    input.append(read);
    assertEquals("NOOP\r\nMA", unread(input));
    ByteBuf backing = ((BufferInternal) read).getByteBuf();
    assertSame(backing.array(), input.bytes(), "scanned in place, not copied");
    // "NOOP\r\n" handled; what is left continues in the next read and the two are joined
    input.skip(6);
    input.append(Buffer.buffer("IL FROM:<a@b.example>\r\n").slice(0, 8));
    assertEquals("MAIL FROM", unread(input).substring(0, 9));
    assertEquals(0, input.position());
    input.skipAll();
    assertFalse(input.hasRemaining());
  }

  @Test
  void aReadAfterEverythingWasHandledReplacesTheArray() {
    Input input = new Input();
    input.append(Buffer.buffer("QUIT\r\n"));
    input.skipAll();
    input.releaseIfDone();
    input.append(Buffer.buffer("zzNOOP\r\n").slice(2, 8));
    assertEquals("NOOP\r\n", unread(input));
    assertEquals(2, input.position());
  }
}
