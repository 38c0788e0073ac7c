package io.postino.smtp;

import static io.postino.smtp.ReplyAssertions.assertRefused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The paths of MAIL FROM and RCPT TO: RFC 5321 section 4.1.2 address syntax and its limits. */
class AddressSyntaxTest {

  private static MailAddress sender(String path) throws SmtpException {
    return ((SmtpCommand.Mail) CommandParser.parse("MAIL FROM:" + path)).sender();
  }

  private static MailAddress recipient(String path) throws SmtpException {
    return ((SmtpCommand.Rcpt) CommandParser.parse("RCPT TO:" + path)).recipient();
  }

  /** Both commands accept the path and give back these parts. */
  private static void assertAddress(String path, String localPart, String domain) throws SmtpException {
    MailAddress expected = new MailAddress(localPart, domain);
    assertEquals(expected, sender(path));
    assertEquals(expected, recipient(path));
  }

  /** Both commands refuse the path with their own address-syntax reply. */
  private static void assertBadAddress(String path) {
    assertRefused("MAIL FROM:" + path, Replies.BAD_SENDER_SYNTAX, 501, "5.1.7");
    assertRefused("RCPT TO:" + path, Replies.BAD_RECIPIENT_SYNTAX, 501, "5.1.3");
  }

  @Test
  void plainAddresses() throws SmtpException {
    assertAddress("<user@example.com>", "user", "example.com");
    assertAddress("<First.Last@Sub.Example.COM>", "First.Last", "Sub.Example.COM");
    assertAddress("<a@localhost>", "a", "localhost");
    assertAddress("<a@my-host.example>", "a", "my-host.example");
    assertAddress("<a@123.example>", "a", "123.example");
    assertAddress("<a@a--b.example>", "a", "a--b.example");
    assertAddress("<!#$%&'*+-/=?^_`{|}~@example.com>", "!#$%&'*+-/=?^_`{|}~", "example.com");
  }

  @Test
  void oneSpaceAfterTheColonIsTolerated() throws SmtpException {
    assertEquals(new MailAddress("a", "b.example"), sender(" <a@b.example>"));
    assertEquals(new MailAddress("a", "b.example"), recipient(" <a@b.example>"));
  }

  @Test
  void nullSenderOnlyForMail() throws SmtpException {
    assertSame(MailAddress.NULL_SENDER, sender("<>"));
    assertSame(MailAddress.NULL_SENDER, sender(" <>"));
    assertRefused("RCPT TO:<>", Replies.BAD_RECIPIENT_SYNTAX, 501, "5.1.3");
  }

  @Test
  void barePostmasterOnlyForRcpt() throws SmtpException {
    assertEquals(new MailAddress("postmaster", ""), recipient("<postmaster>"));
    MailAddress upper = recipient("<PostMaster>");
    assertEquals(new MailAddress("PostMaster", ""), upper);
    assertTrue(upper.isBarePostmaster());
    assertRefused("MAIL FROM:<postmaster>", Replies.BAD_SENDER_SYNTAX, 501, "5.1.7");
    assertEquals(new MailAddress("postmaster", "example.com"), recipient("<postmaster@example.com>"));
    assertRefused("RCPT TO:<postmasters>", Replies.BAD_RECIPIENT_SYNTAX, 501, "5.1.3");
    assertRefused("RCPT TO:<postmaste>", Replies.BAD_RECIPIENT_SYNTAX, 501, "5.1.3");
  }

  @Test
  void quotedLocalPartsAreKeptAsSent() throws SmtpException {
    assertAddress("<\"john doe\"@example.com>", "\"john doe\"", "example.com");
    assertAddress("<\"a\\\"b\"@example.com>", "\"a\\\"b\"", "example.com");
    assertAddress("<\"a\\\\b\"@example.com>", "\"a\\\\b\"", "example.com");
    assertAddress("<\"\"@example.com>", "\"\"", "example.com");
    assertAddress("<\"a>b@c\"@example.com>", "\"a>b@c\"", "example.com");
    assertAddress("<\"a..b.\"@example.com>", "\"a..b.\"", "example.com");
    assertAddress("<\"(),:;<>[]\"@example.com>", "\"(),:;<>[]\"", "example.com");
  }

  @Test
  void sourceRoutesAreDropped() throws SmtpException {
    assertAddress("<@a.example:user@c.example>", "user", "c.example");
    assertAddress("<@a.example,@b.example:user@c.example>", "user", "c.example");
    assertEquals(new MailAddress("user", "c.example"), sender("<@a.example,@b.example:user@c.example> SIZE=10"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"<@a.example user@c.example>", "<@a.example,user@c.example>", "<@:user@c.example>",
      "<@a..example:user@c.example>", "<@a.example,:user@c.example>", "<@[192.0.2.1]:user@c.example>",
      "<@a.example:>", "<@a.example:@b.example:u@c.example>"})
  void badSourceRoutes(String path) {
    assertBadAddress(path);
  }

  @Test
  void internationalizedAddresses() throws SmtpException {
    assertAddress("<用户@例子.广告>", "用户", "例子.广告");
    assertAddress("<josé.garcía@bücher.example>", "josé.garcía", "bücher.example");
    assertAddress("<\"ü x\"@example.com>", "\"ü x\"", "example.com");
    assertAddress("<ü@xn--bcher-kva.example>", "ü", "xn--bcher-kva.example");
    assertAddress("<\u00a0@example.com>", "\u00a0", "example.com");
    assertTrue(sender("<用户@例子.广告>").isInternationalized());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "[192.0.2.1]", "[0.0.0.0]", "[255.255.255.255]", "[010.1.1.1]",
      "[IPv6:2001:db8::1]", "[IPv6:::1]", "[IPv6:::]", "[IPv6:1::]", "[IPv6:1:2:3:4:5:6:7:8]",
      "[IPv6:fe80::]", "[IPv6:FE80::ABCD:ef01]", "[ipv6:2001:DB8::1]", "[IPV6:::1]",
      "[IPv6:1:2:3:4:5:6:7::]", "[IPv6:::2:3:4:5:6:7:8]", "[IPv6:1:2:3::6:7:8]",
      "[IPv6:::ffff:192.0.2.1]", "[IPv6:::192.0.2.1]", "[IPv6:1:2:3:4:5:6:192.0.2.1]",
      "[IPv6:1::6:192.0.2.1]", "[IPv6:1:2:3:4:5::192.0.2.1]", "[IPv6:0000:0000:0000:0000:0000:0000:0000:0001]",
      "[x-tag:content]", "[X400:c=us;a=x]", "[-tag:x]", "[tag:a:b]"})
  void addressLiterals(String literal) throws SmtpException {
    assertAddress("<user@" + literal + ">", "user", literal);
    assertTrue(sender("<user@" + literal + ">").isAddressLiteral());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "[192.0.2.256]", "[192.0.2]", "[192.0.2.1.5]", "[1234.0.0.1]", "[192.0.2.]", "[.192.0.2.1]",
      "[192.0.2.-1]", "[192..2.1]", "[]", "[192.0.2.1", "[a b]",
      "[IPv6:1:2:3:4:5:6:7:8:9]", "[IPv6:1::2::3]", "[IPv6:12345::]", "[IPv6::1]", "[IPv6:1:]",
      "[IPv6:g::]", "[IPv6:::ffff:256.0.0.1]", "[IPv6:1:2:3:4:5:6:7:1.2.3.4]", "[IPv6:1.2.3.4]",
      "[IPv6:fe80::1%eth0]", "[IPv6:]", "[IPv6:1:2:3:4:5:6:7]", "[IPv6::::]", "[IPv6:1:::2]",
      "[IPv6:1::2:3:4:5:6:7:8]", "[IPv6:::1.2.3.4:5]", "[IPv6:1:2:3:4:5:6:7:8::]", "[IPv6:::1.2.3]",
      "[IPv6:1:2:3:4:5::6:1.2.3.4]",
      "[tag:]", "[tag-:x]", "[:x]", "[t@g:x]", "[tag:a[b]", "[tag:a\\b]", "[täg:x]", "[tag:ä]"})
  void badAddressLiterals(String literal) {
    assertBadAddress("<user@" + literal + ">");
  }

  @ParameterizedTest
  @ValueSource(strings = {"<user>", "<@example.com>", "<user@>", "<@>", "<user@.example.com>",
      "<user@example.com.>", "<user@example..com>", "<user@-example.com>", "<user@example-.com>",
      "<.user@example.com>", "<user.@example.com>", "<us..er@example.com>", "<us er@example.com>",
      "<user@exa mple.com>", "<\"unterminated@example.com>", "<a\"b@example.com>", "<\"a\u0001\"@example.com>",
      "<\"a\\\u00e9\"@example.com>", "<\"a\\\"@example.com>", "<user@example.com", "<user@example.com@x>",
      "<user@@example.com>", "<user@exam_ple.com>", "<user(comment)@example.com>", "<a@b@c>",
      "<user\u0001@example.com>", "<user@exa\u007fmple.com>", "<<a@example.com>", "<a@example.com >",
      "<user@example.com\t>"})
  void badAddresses(String path) {
    assertBadAddress(path);
  }

  @Test
  void localPartOfAtMost64Octets() throws SmtpException {
    String local64 = "a".repeat(64);
    assertAddress("<" + local64 + "@example.com>", local64, "example.com");
    assertBadAddress("<" + local64 + "a@example.com>");
    String quoted64 = "\"" + "b".repeat(62) + "\"";
    assertAddress("<" + quoted64 + "@example.com>", quoted64, "example.com");
    assertBadAddress("<\"" + "b".repeat(63) + "\"@example.com>");
  }

  @Test
  void limitsCountOctetsNotCharacters() throws SmtpException {
    String local = "é".repeat(32);
    assertAddress("<" + local + "@example.com>", local, "example.com");
    assertBadAddress("<" + local + "é@example.com>");
  }

  @Test
  void pathOfAtMost256OctetsBracketsIncluded() throws SmtpException {
    String local = "a".repeat(64);
    String domain = label(63) + "." + label(63) + "." + label(61);
    assertEquals(256, ("<" + local + "@" + domain + ">").length());
    assertAddress("<" + local + "@" + domain + ">", local, domain);
    assertBadAddress("<" + local + "@" + domain + "x>");
    String route = "@" + label(60) + ":";
    assertBadAddress("<" + route + "user@" + label(63) + "." + label(63) + "." + label(60) + ">");
  }

  @Test
  void domainOfAtMost255Octets() {
    assertBadAddress("<a@" + label(63) + "." + label(63) + "." + label(63) + "." + label(64) + ">");
  }

  private static String label(int length) {
    return "d".repeat(length);
  }

  @Test
  void textAfterThePathIsACommandSyntaxError() {
    assertRefused("MAIL FROM:<a@example.com>x", Replies.MAIL_SYNTAX, 501, "5.5.4");
    assertRefused("RCPT TO:<a@example.com>x", Replies.RCPT_SYNTAX, 501, "5.5.4");
    assertRefused("MAIL FROM:<>x", Replies.MAIL_SYNTAX, 501, "5.5.4");
    assertRefused("RCPT TO:<postmaster>x", Replies.RCPT_SYNTAX, 501, "5.5.4");
  }

  @ParameterizedTest
  @ValueSource(strings = {"MAIL", "MAIL ", "MAIL FROM", "MAIL FROM:", "MAIL FROM:a@example.com",
      "MAIL FROM:  <a@example.com>", "MAIL FROM :<a@example.com>", "MAIL TO:<a@example.com>",
      "MAIL FROM<a@example.com>", "MAIL FROMA:<a@example.com>", "MAIL FROM:\t<a@example.com>"})
  void badMailCommands(String line) {
    assertRefused(line, Replies.MAIL_SYNTAX, 501, "5.5.4");
  }

  @ParameterizedTest
  @ValueSource(strings = {"RCPT", "RCPT TO", "RCPT TO:", "RCPT TO:a@example.com", "RCPT TO:  <a@example.com>",
      "RCPT FROM:<a@example.com>", "RCPT TO<a@example.com>", "RCPT TO:postmaster"})
  void badRcptCommands(String line) {
    assertRefused(line, Replies.RCPT_SYNTAX, 501, "5.5.4");
  }
}
