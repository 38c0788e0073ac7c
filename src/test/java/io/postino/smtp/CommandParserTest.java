package io.postino.smtp;

import static io.postino.smtp.ReplyAssertions.assertRefused;
import static io.postino.smtp.ReplyAssertions.latin1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The verbs, their arguments, and the refusals common to every line. */
class CommandParserTest {

  private static SmtpCommand parse(String line) throws SmtpException {
    return CommandParser.parse(line);
  }

  @Test
  void helo() throws SmtpException {
    assertEquals(new SmtpCommand.Helo("client.example"), parse("HELO client.example"));
    assertEquals(new SmtpCommand.Helo("client.example"), parse("helo client.example"));
    assertEquals(new SmtpCommand.Helo("[192.0.2.1]"), parse("HeLo [192.0.2.1]"));
  }

  @Test
  void ehlo() throws SmtpException {
    assertEquals(new SmtpCommand.Ehlo("client.example"), parse("EHLO client.example"));
    assertEquals(new SmtpCommand.Ehlo("client.example"), parse("ehlo client.example"));
    assertEquals(new SmtpCommand.Ehlo("[IPv6:2001:db8::1]"), parse("EHLO [IPv6:2001:db8::1]"));
    assertEquals(new SmtpCommand.Ehlo("bücher.example"), parse("EHLO bücher.example"));
  }

  @Test
  void heloIsLenientLikePostfix() throws SmtpException {
    assertEquals(new SmtpCommand.Ehlo("not_a_valid.hostname!"), parse("EHLO not_a_valid.hostname!"));
    assertEquals(new SmtpCommand.Ehlo("two words"), parse("EHLO two words"));
    assertEquals(new SmtpCommand.Ehlo("spaced"), parse("EHLO    spaced"));
  }

  @Test
  void trailingSpacesAndTabsAreIgnored() throws SmtpException {
    assertEquals(new SmtpCommand.Ehlo("client.example"), parse("EHLO client.example \t \t"));
    assertSame(SmtpCommand.QUIT, parse("QUIT\t"));
    assertSame(SmtpCommand.DATA, parse("DATA   "));
    assertEquals(new SmtpCommand.Bdat(10, true), parse("BDAT 10 LAST "));
  }

  @Test
  void heloAndEhloNeedAnArgument() {
    assertRefused("HELO", Replies.HELO_SYNTAX, 501, "5.5.4");
    assertRefused("HELO   ", Replies.HELO_SYNTAX, 501, "5.5.4");
    assertRefused("EHLO", Replies.EHLO_SYNTAX, 501, "5.5.4");
    assertRefused("EHLO \t", Replies.EHLO_SYNTAX, 501, "5.5.4");
  }

  @Test
  void heloArgumentMustBePrintable() {
    assertRefused("EHLO a\tb", Replies.EHLO_SYNTAX, 501, "5.5.4");
    assertRefused("HELO a\u0001b", Replies.HELO_SYNTAX, 501, "5.5.4");
    assertRefused("EHLO a\u007fb", Replies.EHLO_SYNTAX, 501, "5.5.4");
  }

  @Test
  void commandsWithoutArguments() throws SmtpException {
    assertSame(SmtpCommand.DATA, parse("DATA"));
    assertSame(SmtpCommand.RSET, parse("rset"));
    assertSame(SmtpCommand.QUIT, parse("Quit"));
    assertSame(SmtpCommand.STARTTLS, parse("STARTTLS"));
    assertSame(SmtpCommand.STARTTLS, parse("starttls"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"DATA x", "RSET now", "QUIT please", "STARTTLS 1"})
  void argumentsAreRefusedWhereNoneAreAllowed(String line) {
    assertRefused(line, Replies.NO_ARGUMENTS, 501, "5.5.4");
  }

  @Test
  void noopIgnoresItsArgument() throws SmtpException {
    assertSame(SmtpCommand.NOOP, parse("NOOP"));
    assertSame(SmtpCommand.NOOP, parse("noop anything at all <>"));
  }

  @Test
  void help() throws SmtpException {
    assertEquals(new SmtpCommand.Help(""), parse("HELP"));
    assertEquals(new SmtpCommand.Help("MAIL"), parse("help MAIL"));
    assertEquals(new SmtpCommand.Help("a b"), parse("HELP  a b "));
  }

  @Test
  void vrfyAndExpn() throws SmtpException {
    assertEquals(new SmtpCommand.Vrfy("postmaster"), parse("VRFY postmaster"));
    assertEquals(new SmtpCommand.Vrfy("John Doe <jd@example.com>"), parse("vrfy John Doe <jd@example.com>"));
    assertEquals(new SmtpCommand.Expn("staff"), parse("EXPN staff"));
    assertRefused("VRFY", Replies.SYNTAX, 501, "5.5.4");
    assertRefused("EXPN  ", Replies.SYNTAX, 501, "5.5.4");
  }

  @Test
  void bdat() throws SmtpException {
    assertEquals(new SmtpCommand.Bdat(1000, false), parse("BDAT 1000"));
    assertEquals(new SmtpCommand.Bdat(0, true), parse("BDAT 0 LAST"));
    assertEquals(new SmtpCommand.Bdat(5, true), parse("bdat 5 last"));
    assertEquals(new SmtpCommand.Bdat(5, true), parse("BDAT 5  Last"));
    assertEquals(new SmtpCommand.Bdat(Long.MAX_VALUE, false), parse("BDAT " + Long.MAX_VALUE));
  }

  @ParameterizedTest
  @ValueSource(strings = {"BDAT", "BDAT x", "BDAT -1", "BDAT +1", "BDAT 1x", "BDAT 1 FIRST",
      "BDAT 1 LAST x", "BDAT LAST", "BDAT 9223372036854775808", "BDAT 99999999999999999999"})
  void badBdat(String line) {
    assertRefused(line, Replies.BDAT_SYNTAX, 501, "5.5.4");
  }

  @Test
  void auth() throws SmtpException {
    assertEquals(new SmtpCommand.Auth("PLAIN", null), parse("AUTH PLAIN"));
    assertEquals(new SmtpCommand.Auth("PLAIN", "AGpvZQBzZWNyZXQ="), parse("auth plain AGpvZQBzZWNyZXQ="));
    assertEquals(new SmtpCommand.Auth("LOGIN", "="), parse("AUTH login ="));
    assertEquals(new SmtpCommand.Auth("SCRAM-SHA-256", null), parse("AUTH scram-sha-256"));
    assertEquals(new SmtpCommand.Auth("X_OAUTH2", null), parse("AUTH x_oauth2"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"AUTH", "AUTH   ", "AUTH PL@IN", "AUTH PLAIN a b", "AUTH PLAIN a\tb",
      "AUTH ABCDEFGHIJKLMNOPQRSTU", "AUTH PLÄIN"})
  void badAuth(String line) {
    assertRefused(line, Replies.SYNTAX, 501, "5.5.4");
  }

  @Test
  void longestMechanismName() throws SmtpException {
    assertEquals(new SmtpCommand.Auth("ABCDEFGHIJKLMNOPQRST", null), parse("AUTH ABCDEFGHIJKLMNOPQRST"));
  }

  @Test
  void mailAndRcptVerbsInAnyCase() throws SmtpException {
    MailAddress a = new MailAddress("a", "example.com");
    assertEquals(new SmtpCommand.Mail(a, MailParameters.NONE), parse("mail from:<a@example.com>"));
    assertEquals(new SmtpCommand.Mail(a, MailParameters.NONE), parse("Mail From:<a@example.com>"));
    assertEquals(new SmtpCommand.Rcpt(a, RcptParameters.NONE), parse("rcpt to:<a@example.com>"));
    assertEquals(new SmtpCommand.Rcpt(a, RcptParameters.NONE), parse("RCPT tO:<a@example.com>"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "   \t", "FOO", "MAILX FROM:<a@b>", "EHL", "EHLOX a", "STARTTLSX",
      "START TLS", " EHLO a", "\tEHLO a", "EHLO\ta", "QUIT!", "ÉHLO a", "HELO:a"})
  void unrecognized(String line) {
    assertRefused(line, Replies.UNRECOGNIZED, 500, "5.5.2");
  }

  @ParameterizedTest
  @ValueSource(strings = {"EHLO a\rb", "EHLO a\nb", "EHLO a\u0000b", "\r", "\n", "\u0000",
      "QUIT\r", "NOOP \n", "MAIL FROM:<a\u0000@example.com>", "RCPT TO:<a@example.com>\r\nDATA",
      "FOO\u0000", "HELP \u0000", "DATA\n"})
  void crLfAndNulAreRefusedAnywhere(String line) {
    assertRefused(line, Replies.BAD_CHARACTER, 500, "5.5.2");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "EHLO \u00ff",                 // not a lead byte
      "EHLO a\u00c3",                // truncated two-byte sequence
      "EHLO \u00c3\u0028",           // bad continuation
      "EHLO \u00c0\u00af",           // overlong '/'
      "EHLO \u00e0\u0080\u00af",     // overlong three-byte
      "EHLO \u00ed\u00a0\u0080",     // UTF-16 surrogate
      "EHLO \u00f4\u0090\u0080\u0080", // above U+10FFFF
      "EHLO \u00f0\u009f\u0098",     // truncated four-byte sequence
      "EHLO \u0080",                 // lone continuation byte
      "MAIL FROM:<\u00e9@example.com>", // Latin-1, not UTF-8
  })
  void invalidUtf8IsRefused(String latin1Line) {
    assertRefused(latin1(latin1Line), Replies.BAD_UTF8, 500, "5.5.2");
  }

  @Test
  void crLfNulComeBeforeUtf8() {
    assertRefused(latin1("EHLO \u00ff\r"), Replies.BAD_CHARACTER, 500, "5.5.2");
  }

  @Test
  void validMultiByteUtf8IsAccepted() throws SmtpException {
    assertEquals(new SmtpCommand.Ehlo("\u00e9\u4e2d\ud83d\ude00\uffff"), parse("EHLO \u00e9\u4e2d\ud83d\ude00\uffff"));
  }

  @Test
  void parsesARangeOfALargerBuffer() throws SmtpException {
    byte[] buffer = "xxxxEHLO client.example\r\nQUIT\r\n".getBytes(StandardCharsets.US_ASCII);
    assertEquals(new SmtpCommand.Ehlo("client.example"), CommandParser.parse(buffer, 4, 19));
    assertSame(SmtpCommand.QUIT, CommandParser.parse(buffer, 25, 4));
  }

  @Test
  void badRangeIsAProgrammingError() {
    byte[] b = new byte[4];
    assertThrows(IndexOutOfBoundsException.class, () -> CommandParser.parse(b, 2, 3));
    assertThrows(IndexOutOfBoundsException.class, () -> CommandParser.parse(b, -1, 1));
  }
}
