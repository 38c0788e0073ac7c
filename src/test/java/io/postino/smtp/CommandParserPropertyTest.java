package io.postino.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;

/**
 * Property tests of the command parser: no input makes it fail other than with a reply, and any
 * valid address, however built, comes back as it was written.
 */
class CommandParserPropertyTest {

  @Property(tries = 1000)
  void randomBytesGetAReplyOrACommand(@ForAll @Size(max = 600) byte[] line) {
    parseOrRefuse(line);
  }

  @Property(tries = 1000)
  void nearlyValidLinesGetAReplyOrACommand(@ForAll("nearlyValidLines") byte[] line) {
    parseOrRefuse(line);
  }

  /** Anything may be refused, but only with an SmtpException; what parses, parses again the same. */
  private static void parseOrRefuse(byte[] line) {
    SmtpCommand command;
    try {
      command = CommandParser.parse(line, 0, line.length);
    } catch (SmtpException e) {
      assertNotNull(e.reply());
      return;
    }
    assertNotNull(command);
    // the canonical path of a parsed address is itself a valid path for the same address
    try {
      if (command instanceof SmtpCommand.Mail m) {
        assertEquals(m.sender(), ((SmtpCommand.Mail) CommandParser.parse("MAIL FROM:" + m.sender().path())).sender());
      } else if (command instanceof SmtpCommand.Rcpt r) {
        assertEquals(r.recipient(),
            ((SmtpCommand.Rcpt) CommandParser.parse("RCPT TO:" + r.recipient().path())).recipient());
      }
    } catch (SmtpException e) {
      throw new AssertionError("canonical form refused: " + command, e);
    }
  }

  @Provide
  Arbitrary<byte[]> nearlyValidLines() {
    Arbitrary<String> start = Arbitraries.of("MAIL FROM:<", "RCPT TO:<", "mail from: <", "rcpt to:<",
        "MAIL FROM:<a@b.example>", "RCPT TO:<a@b.example>", "MAIL FROM:<a@[", "RCPT TO:<a@[IPv6:",
        "EHLO ", "HELO ", "BDAT ", "AUTH ", "VRFY ", "EXPN ", "HELP ", "DATA", "QUIT", "NOOP ", "STARTTLS", "");
    Arbitrary<String> token = Arbitraries.frequencyOf(
        Tuple.of(30, Arbitraries.of("@", "<", ">", "[", "]", ":", "::", ".", ",", ";", "\"", "\\", " ", "  ", "=",
            "+", "+2B", "+0D", "IPv6:", "LAST", "SIZE=", "BODY=8BITMIME", "SMTPUTF8", "AUTH=", "<>", "ENVID=", "RET=",
            "NOTIFY=", "SUCCESS,", "NEVER", "ORCPT=rfc822;", "postmaster", "255.", "256", "ffff", "é", "用", "-")),
        Tuple.of(20, Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(8)),
        Tuple.of(1, Arbitraries.of("\u0000", "\r", "\n", "\u007f", "\t")));
    Arbitrary<String> tail = token.list().ofMaxSize(30).map(t -> String.join("", t));
    // now and then a few raw octets, most of them not UTF-8
    Arbitrary<byte[]> junk = Arbitraries.frequencyOf(
        Tuple.of(5, Arbitraries.just(new byte[0])),
        Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(4)));
    return Combinators.combine(start, tail, junk).as((s, t, j) -> {
      byte[] text = (s + t).getBytes(StandardCharsets.UTF_8);
      byte[] line = new byte[text.length + j.length];
      System.arraycopy(text, 0, line, 0, text.length);
      System.arraycopy(j, 0, line, text.length, j.length);
      return line;
    });
  }

  /** A path and the parts it must parse into. */
  record GeneratedPath(String path, MailAddress address) {
  }

  @Property(tries = 1000)
  void generatedMailCommandsParseBackToTheirAddress(@ForAll("paths") GeneratedPath p, @ForAll("mailParameters") String params,
      @ForAll boolean lowerCase, @ForAll boolean spaceAfterColon) throws SmtpException {
    String verb = lowerCase ? "mail from:" : "MAIL FROM:";
    SmtpCommand.Mail m = (SmtpCommand.Mail) CommandParser.parse(verb + (spaceAfterColon ? " " : "") + p.path() + params);
    assertEquals(p.address(), m.sender());
  }

  @Property(tries = 1000)
  void generatedRcptCommandsParseBackToTheirAddress(@ForAll("paths") GeneratedPath p, @ForAll("rcptParameters") String params,
      @ForAll boolean lowerCase, @ForAll boolean spaceAfterColon) throws SmtpException {
    String verb = lowerCase ? "rcpt to:" : "RCPT TO:";
    SmtpCommand.Rcpt r = (SmtpCommand.Rcpt) CommandParser.parse(verb + (spaceAfterColon ? " " : "") + p.path() + params);
    assertEquals(p.address(), r.recipient());
  }

  @Provide
  Arbitrary<String> mailParameters() {
    return Arbitraries.of("", " SIZE=12345", " BODY=8BITMIME SMTPUTF8", " AUTH=<> RET=HDRS ENVID=x+2By  ", "  ");
  }

  @Provide
  Arbitrary<String> rcptParameters() {
    return Arbitraries.of("", " NOTIFY=NEVER", " NOTIFY=SUCCESS,DELAY ORCPT=rfc822;a+40b", " ");
  }

  @Provide
  Arbitrary<GeneratedPath> paths() {
    Arbitrary<String> route = domain().list().ofMaxSize(2)
        .map(ds -> ds.isEmpty() ? "" : ds.stream().map(d -> "@" + d).collect(Collectors.joining(",")) + ":");
    Arbitrary<String> domainPart = Arbitraries.oneOf(domain(), domainLiteral());
    return Combinators.combine(route, localPart(), domainPart)
        .as((r, l, d) -> new GeneratedPath("<" + r + l + "@" + d + ">", new MailAddress(l, d)))
        .filter(p -> octets(p.path()) <= PathParser.MAX_PATH);
  }

  private static int octets(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  private static final String ATEXT = "abcXYZ019!#$%&'*+-/=?^_`{|}~éü用€";

  private Arbitrary<String> localPart() {
    Arbitrary<String> atom = Arbitraries.strings().withChars(ATEXT).ofMinLength(1).ofMaxLength(8);
    Arbitrary<String> dotString = atom.list().ofMinSize(1).ofMaxSize(4).map(a -> String.join(".", a));
    Arbitrary<String> qtext = Arbitraries.strings().withChars(ATEXT + " .@<>[]():;,é").ofMinLength(1).ofMaxLength(3);
    Arbitrary<String> quotedPair = Arbitraries.chars().range(' ', '~').map(c -> "\\" + c);
    Arbitrary<String> quoted = Arbitraries.oneOf(qtext, quotedPair).list().ofMaxSize(5)
        .map(parts -> "\"" + String.join("", parts) + "\"");
    return Arbitraries.oneOf(dotString, quoted).filter(l -> octets(l) <= PathParser.MAX_LOCAL_PART);
  }

  private Arbitrary<String> domain() {
    Arbitrary<Character> letDig = Arbitraries.of('a', 'Z', '0', '9', 'x', 'ü', '例');
    Arbitrary<String> middle = Arbitraries.strings().withChars("ab-Z09ü").ofMaxLength(6);
    Arbitrary<String> label = Arbitraries.oneOf(
        letDig.map(String::valueOf),
        Combinators.combine(letDig, middle, letDig).as((a, m, b) -> a + m + b));
    return label.list().ofMinSize(1).ofMaxSize(4).map(ls -> String.join(".", ls));
  }

  private Arbitrary<String> domainLiteral() {
    Arbitrary<String> general = Combinators.combine(
            Arbitraries.strings().withChars("abcX-9").ofMinLength(1).ofMaxLength(6),
            Arbitraries.strings().withCharRange('!', 'Z').withCharRange('^', '~').ofMinLength(1).ofMaxLength(10))
        .as((tag, content) -> "x" + tag + "0:" + content);
    return Arbitraries.oneOf(
        ipv4().map(a -> "[" + a + "]"),
        ipv6().map(a -> "[IPv6:" + a + "]"),
        general.map(g -> "[" + g + "]"));
  }

  private Arbitrary<String> ipv4() {
    return Arbitraries.integers().between(0, 255).list().ofSize(4)
        .map(os -> os.stream().map(String::valueOf).collect(Collectors.joining(".")));
  }

  /** Every textual form: full, {@code ::} anywhere for a run of one or more groups, IPv4 tail. */
  private Arbitrary<String> ipv6() {
    Arbitrary<String> group = Arbitraries.integers().between(0, 0xffff).tuple2()
        .map(t -> {
          String hex = Integer.toHexString(t.get1());
          return t.get2() % 2 == 0 ? hex : hex.toUpperCase(java.util.Locale.ROOT);
        });
    return Combinators.combine(group.list().ofSize(8), ipv4().optional(), Arbitraries.integers().between(0, 8),
            Arbitraries.integers().between(0, 8))
        .as((groups, v4, start, length) -> {
          int n = v4.isPresent() ? 6 : 8;
          List<String> g = new ArrayList<>(groups.subList(0, n));
          List<String> tail = new ArrayList<>();
          v4.ifPresent(tail::add);
          int s = Math.min(start, n - 1);
          int len = Math.max(1, Math.min(length, n - s));
          if (length == 0) {
            g.addAll(tail);
            return String.join(":", g);
          }
          List<String> left = g.subList(0, s);
          List<String> right = new ArrayList<>(g.subList(s + len, n));
          right.addAll(tail);
          return String.join(":", left) + "::" + String.join(":", right);
        });
  }

  @Property(tries = 200)
  void everyGeneratedIpv6LiteralIsValid(@ForAll("ipv6Texts") String text) {
    byte[] b = text.getBytes(StandardCharsets.US_ASCII);
    assertEquals(true, AddressLiterals.isIpv6(b, 0, b.length), text);
  }

  @Provide
  Arbitrary<String> ipv6Texts() {
    return ipv6();
  }
}
