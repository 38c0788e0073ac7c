package io.postino.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The client-side reply parser: multi-line replies, enhanced status codes, sloppy but readable
 * servers, malformed input, and the same result however the input is cut.
 */
class ReplyParserTest {

  /** What a parser reported for some input: its replies, then the malformation if any. */
  record Outcome(List<SmtpReply> replies, String malformed, boolean partial) {
  }

  static Outcome parse(String input, List<Integer> cuts) {
    List<SmtpReply> replies = new ArrayList<>();
    String[] malformed = {null};
    ReplyParser parser = new ReplyParser(new ReplyParser.Listener() {
      @Override
      public void reply(SmtpReply reply) {
        replies.add(reply);
      }

      @Override
      public void malformed(String reason) {
        if (malformed[0] != null) {
          throw new AssertionError("reported twice");
        }
        malformed[0] = reason;
      }
    }, 40, 5);
    byte[] bytes = input.getBytes(StandardCharsets.UTF_8);
    int from = 0;
    for (int cut : cuts) {
      parser.feed(bytes, from, cut - from);
      from = cut;
    }
    parser.feed(bytes, from, bytes.length - from);
    return new Outcome(replies, malformed[0], parser.hasPartialReply());
  }

  static Outcome parse(String input) {
    return parse(input, List.of());
  }

  @Test
  void singleLineWithEnhancedStatus() {
    SmtpReply r = parse("250 2.1.5 Ok\r\n").replies().get(0);
    assertEquals(250, r.code());
    assertEquals(EnhancedStatus.of(2, 1, 5), r.status());
    assertEquals(List.of("Ok"), r.lines());
  }

  @Test
  void multiLineEhloReply() {
    Outcome o = parse("250-mx.example Hello\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250 8BITMIME\r\n");
    assertEquals(1, o.replies().size());
    SmtpReply r = o.replies().get(0);
    assertNull(r.status());
    assertEquals(List.of("mx.example Hello", "PIPELINING", "SIZE 1000", "8BITMIME"), r.lines());
    ServerExtensions ext = ServerExtensions.parse(r);
    assertTrue(ext.pipelining());
    assertTrue(ext.eightBitMime());
    assertEquals(1000, ext.maxSize());
    assertFalse(ext.startTls());
  }

  @Test
  void enhancedStatusTakenOffEveryLineThatHasIt() {
    SmtpReply r = parse("550-5.1.1 first\r\n550-5.1.1 second\r\n550 other\r\n").replies().get(0);
    assertEquals(EnhancedStatus.of(5, 1, 1), r.status());
    assertEquals(List.of("first", "second", "other"), r.lines());
  }

  @Test
  void enhancedStatusOfAnotherClassIsText() {
    SmtpReply r = parse("250 5.0.0 odd\r\n").replies().get(0);
    assertNull(r.status());
    assertEquals("5.0.0 odd", r.text());
  }

  @Test
  void lenientForms() {
    Outcome o = parse("220\r\n250 ok\n354 go ahead\r\n");
    assertEquals(List.of(220, 250, 354), o.replies().stream().map(SmtpReply::code).toList());
    assertEquals("", o.replies().get(0).text());
    assertEquals("ok", o.replies().get(1).text());
  }

  @Test
  void controlCharactersAreReplaced() {
    SmtpReply r = parse("550 bad\rline\u001b[31m\tend\r\n").replies().get(0);
    assertEquals("bad?line?[31m\tend", r.text());
  }

  @Test
  void undecodableOctetsAreReplaced() {
    List<SmtpReply> replies = new ArrayList<>();
    new ReplyParser(new ReplyParser.Listener() {
      @Override
      public void reply(SmtpReply reply) {
        replies.add(reply);
      }

      @Override
      public void malformed(String reason) {
        throw new AssertionError(reason);
      }
    }).feed(new byte[] {'2', '5', '0', ' ', (byte) 0xff, 'x', '\r', '\n'}, 0, 8);
    assertEquals("\ufffdx", replies.get(0).text());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "25\r\n",
      "abc hello\r\n",
      "150 too low\r\n",
      "600 too high\r\n",
      "250_what\r\n",
      "250-one\r\n251 two\r\n",
      "250 this line is far too long for the configured limit\r\n",
      "250-1\r\n250-2\r\n250-3\r\n250-4\r\n250-5\r\n250 6\r\n",
      "\r\n"})
  void malformedInputIsReportedOnce(String input) {
    Outcome o = parse(input + "250 after\r\n");
    assertTrue(o.malformed() != null, input);
    assertEquals(List.of(), o.replies());
  }

  @Test
  void repliesBeforeTheMalformedLineAreKept() {
    Outcome o = parse("250 fine\r\nnonsense\r\n250 ignored\r\n");
    assertEquals(1, o.replies().size());
    assertTrue(o.malformed().contains("three-digit"));
  }

  @Test
  void aLineAtTheLimitIsAcceptedWithItsCrlf() {
    String text = "x".repeat(36);
    assertEquals(text, parse("250 " + text + "\r\n").replies().get(0).text());
    assertTrue(parse("250 " + text + "x\r\n").malformed() != null);
  }

  @Test
  void partialReplyIsVisible() {
    assertTrue(parse("220 ready\r\n250").partial());
    assertTrue(parse("250-first\r\n").partial());
    assertFalse(parse("220 ready\r\n").partial());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "220 mx ESMTP\r\n250-mx\r\n250-PIPELINING\r\n250 2.0.0 SIZE\r\n",
      "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 no\r\n354 go\r\n",
      "250-2.0.0 a\n250 2.0.0 b\n",
      "250 ok\r\nbroken\r\n250 x\r\n",
      "451-4.3.0 x\r\n452 y\r\n",
      "220 \u00e9t\u00e9 \r\n221"})
  void sameOutcomeAtEverySplit(String input) {
    Outcome whole = parse(input);
    int n = input.getBytes(StandardCharsets.UTF_8).length;
    for (int i = 0; i <= n; i++) {
      assertEquals(whole, parse(input, List.of(i)), "cut at " + i);
      for (int j = i; j <= n; j++) {
        assertEquals(whole, parse(input, List.of(i, j)), "cut at " + i + " and " + j);
      }
    }
    List<Integer> every = new ArrayList<>();
    for (int i = 1; i < n; i++) {
      every.add(i);
    }
    assertEquals(whole, parse(input, every), "byte by byte");
  }
}
