package io.postino.mime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.stream.BodyDescriptor;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;
import org.apache.james.mime4j.stream.RecursionMode;

/**
 * Rewrites a message for the next hop, as Postfix's SMTP client downgrades 8-bit mail: each leaf
 * part whose body has octets the hop does not take (8-bit ones for a host without 8BITMIME, lines
 * over 998 octets for any host) becomes quoted-printable (text) or base64 (anything else, or text
 * with NUL octets), with its Content-Transfer-Encoding field replaced or added; a multipart or
 * {@code message/rfc822} part declared 8bit or binary is declared 7bit once its parts are; header
 * fields keep their octets, folded at white space where a line is over 998 octets; preambles,
 * epilogues and already encoded parts are copied. Parts nested in multiparts and in
 * {@code message/rfc822} parts are converted too.
 *
 * <p>Two passes over the content, each a Mime4j token stream reading it as it goes: the first
 * ({@link #plan}) learns what each leaf holds, the second ({@link #write}) writes the result, so
 * neither holds more than a header section and a buffer in memory. Blocking: on a worker.
 */
public final class SevenBitConversion {

  private static final MimeConfig CONFIG = MimeConfig.custom().setMaxLineLen(-1).setMaxHeaderLen(-1)
      .setMaxHeaderCount(-1).setMaxContentLen(-1).setStrictParsing(false).build();
  private static final byte[] CRLF = {'\r', '\n'};

  /**
   * What the first pass learnt.
   *
   * @param changes        whether the second pass would write anything else than the message
   * @param headerEightBit whether any header field, of the message or of a part, has 8-bit octets
   */
  public record Plan(List<LeafPart> leaves, boolean sevenBit, boolean changes, boolean headerEightBit) {
  }

  private final boolean sevenBit;
  private final Plan plan;
  private final OutputStream out;
  private final List<LeafPart> leaves = new ArrayList<>();
  private int dropLeadingSignatures;
  private boolean changes;
  private boolean headerEightBit;
  private int leafIndex;

  private SevenBitConversion(boolean sevenBit, Plan plan, OutputStream out, int dropLeadingSignatures) {
    this.sevenBit = sevenBit;
    this.plan = plan;
    this.out = out;
    this.dropLeadingSignatures = dropLeadingSignatures;
  }

  /**
   * The first pass over a message (reads {@code in} to its end).
   *
   * @param sevenBit the hop takes 7-bit content only (no 8BITMIME)
   */
  public static Plan plan(InputStream in, boolean sevenBit) throws IOException {
    SevenBitConversion pass = new SevenBitConversion(sevenBit, null, OutputStream.nullOutputStream(), 0);
    pass.message(in, true);
    return new Plan(List.copyOf(pass.leaves), sevenBit, pass.changes, pass.headerEightBit);
  }

  /**
   * The second pass: writes the converted message to {@code out}, ending with CRLF.
   *
   * @param in                    the same message as the plan's
   * @param dropLeadingSignatures how many DKIM-Signature fields at the very top to leave out (they
   *                              are made again over the converted message)
   */
  public static void write(InputStream in, OutputStream out, Plan plan, int dropLeadingSignatures) throws IOException {
    LastOctets tracked = new LastOctets(out);
    new SevenBitConversion(plan.sevenBit(), plan, tracked, dropLeadingSignatures).message(in, true);
    if (!tracked.endsWithLineBreak()) {
      tracked.write(CRLF);
    }
  }

  /** Both passes over a message the supplier opens twice; returns the plan. */
  public static Plan convert(Supplier<InputStream> open, OutputStream out, boolean sevenBit,
      int dropLeadingSignatures) throws IOException {
    Plan p;
    try (InputStream in = open.get()) {
      p = plan(in, sevenBit);
    }
    try (InputStream in = open.get()) {
      write(in, out, p, dropLeadingSignatures);
    }
    return p;
  }

  /** One message: the top level, or the body of a {@code message/rfc822} part. */
  private void message(InputStream in, boolean top) throws IOException {
    MimeTokenStream s = new MimeTokenStream(CONFIG);
    s.setRecursionMode(RecursionMode.M_NO_RECURSE);
    s.parse(in);
    List<Field> fields = new ArrayList<>();
    boolean topHeader = top;
    Deque<Multipart> open = new ArrayDeque<>();
    try {
      for (EntityState state = s.getState(); state != EntityState.T_END_OF_STREAM; state = s.next()) {
        switch (state) {
          case T_START_HEADER -> fields.clear();
          case T_FIELD -> fields.add(s.getField());
          case T_START_MULTIPART -> {
            BodyDescriptor descriptor = s.getBodyDescriptor();
            header(fields, descriptor, composite(descriptor), topHeader);
            topHeader = false;
            open.push(new Multipart(descriptor.getBoundary()));
          }
          case T_PREAMBLE -> open.peek().preamble = copy(s.getInputStream()) > 0;
          case T_START_BODYPART -> open.peek().delimiter(out);
          case T_EPILOGUE -> {
            open.peek().close(out);
            epilogue(s.getInputStream());
          }
          case T_END_MULTIPART -> open.pop().close(out);
          case T_BODY -> {
            leaf(s, fields, s.getBodyDescriptor(), topHeader);
            topHeader = false;
          }
          default -> {
            // start and end of messages and body parts: nothing of their own to write
          }
        }
      }
    } catch (MimeException e) {
      throw new IOException("cannot parse the message's MIME structure: " + e.getMessage(), e);
    }
  }

  private void leaf(MimeTokenStream s, List<Field> fields, BodyDescriptor d, boolean top) throws IOException {
    String cte = transferEncoding(d);
    String type = d.getMimeType().toLowerCase(Locale.ROOT);
    if (type.equals("message/rfc822") && LeafPart.isIdentity(cte)) {
      header(fields, d, composite(d), top);
      message(s.getInputStream(), false);
      return;
    }
    if (plan == null) {
      LeafPart part = scan(s.getInputStream());
      leaves.add(part);
      LeafPart.Encoding e = part.encoding(cte, type, sevenBit);
      changes |= e != LeafPart.Encoding.KEEP;
      header(fields, d, e.name, top);
      return;
    }
    LeafPart.Encoding e = plan.leaves().get(leafIndex++).encoding(cte, type, sevenBit);
    header(fields, d, e.name, top);
    switch (e) {
      case KEEP -> copy(s.getInputStream());
      case QUOTED_PRINTABLE -> {
        QuotedPrintableOutput qp = new QuotedPrintableOutput(out);
        s.getInputStream().transferTo(qp);
        qp.finish();
      }
      case BASE64 -> {
        OutputStream b64 = Base64.getMimeEncoder(76, CRLF).wrap(new Unclosed(out));
        s.getInputStream().transferTo(b64);
        b64.close();
      }
    }
  }

  /** The Content-Transfer-Encoding a composite part gets: 7bit for an 8-bit one on a 7-bit hop. */
  private String composite(BodyDescriptor d) {
    String cte = transferEncoding(d);
    if (sevenBit && (cte.equals("8bit") || cte.equals("binary"))) {
      changes = true;
      return "7bit";
    }
    return null;
  }

  /**
   * Writes a header section; {@code transferEncoding} (or null to keep the field) replaces the
   * Content-Transfer-Encoding field, or is added when there is none, with MIME-Version at the top
   * level when that is missing too.
   */
  private void header(List<Field> fields, BodyDescriptor d, String transferEncoding, boolean top) throws IOException {
    boolean replaced = false;
    boolean mimeVersion = false;
    int drop = top ? dropLeadingSignatures : 0;
    for (Field f : fields) {
      String name = f.getName().toLowerCase(Locale.ROOT);
      if (drop > 0 && name.equals("dkim-signature")) {
        drop--;
        continue;
      }
      drop = 0;
      mimeVersion |= name.equals("mime-version");
      if (transferEncoding != null && name.equals("content-transfer-encoding")) {
        field("Content-Transfer-Encoding: " + transferEncoding);
        replaced = true;
        continue;
      }
      byte[] raw = f.getRaw().toByteArray();
      for (byte b : raw) {
        headerEightBit |= b < 0;
      }
      changes |= HeaderFolding.write(raw, out);
      out.write(CRLF);
    }
    if (top) {
      dropLeadingSignatures = 0;
    }
    if (transferEncoding != null && !replaced) {
      if (top && !mimeVersion) {
        field("MIME-Version: 1.0");
      }
      field("Content-Transfer-Encoding: " + transferEncoding);
    }
    out.write(CRLF);
  }

  private void field(String line) throws IOException {
    out.write(line.getBytes(StandardCharsets.US_ASCII));
    out.write(CRLF);
  }

  private static String transferEncoding(BodyDescriptor d) {
    String cte = d.getTransferEncoding();
    return cte == null ? "7bit" : cte.toLowerCase(Locale.ROOT);
  }

  /** The line break after a close delimiter is the epilogue's first, or the enclosing delimiter's. */
  private void epilogue(InputStream in) throws IOException {
    int first = in.read();
    if (first >= 0) {
      out.write(CRLF);
      out.write(first);
      copy(in);
    }
  }

  private long copy(InputStream in) throws IOException {
    return in.transferTo(out);
  }

  private static LeafPart scan(InputStream in) throws IOException {
    boolean eightBit = false;
    boolean nul = false;
    boolean longLines = false;
    int line = 0;
    byte[] buf = new byte[16 * 1024];
    for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
      for (int i = 0; i < n; i++) {
        int c = buf[i] & 0xff;
        if (c == '\n') {
          line = 0;
        } else if (c != '\r') {
          eightBit |= c > 127;
          nul |= c == 0;
          longLines |= ++line > ContentFacts.MAX_LINE;
        }
      }
    }
    return new LeafPart(eightBit, nul, longLines);
  }

  /** One multipart being written: its delimiters are made again from its boundary. */
  private static final class Multipart {
    private final byte[] boundary;
    private boolean preamble;
    private boolean first = true;
    private boolean closed;

    Multipart(String boundary) {
      this.boundary = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    }

    void delimiter(OutputStream out) throws IOException {
      // the CRLF in front of a delimiter is the delimiter's, except before the first with no preamble
      if (!first || preamble) {
        out.write(CRLF);
      }
      first = false;
      out.write(boundary);
      out.write(CRLF);
    }

    void close(OutputStream out) throws IOException {
      if (closed) {
        return;
      }
      closed = true;
      out.write(CRLF);
      out.write(boundary);
      out.write('-');
      out.write('-');
    }
  }
}
