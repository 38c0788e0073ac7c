package io.postino.smtp;

/**
 * Parses one SMTP command line (without its CRLF) into an {@link SmtpCommand}. Pure and
 * stateless: what a command means in the session's state is the session's business.
 */
public final class CommandParser {

  private CommandParser() {
  }

  /**
   * Parses {@code line[off, off+len)}, the bytes of one command line without the CRLF.
   *
   * @throws SmtpException with the reply to send when the line is not a valid command
   */
  public static SmtpCommand parse(byte[] line, int off, int len) throws SmtpException {
    throw new UnsupportedOperationException("not implemented");
  }

  /** Convenience for tests and tools: parses a line given as a string (no CRLF). */
  public static SmtpCommand parse(String line) throws SmtpException {
    byte[] b = line.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return parse(b, 0, b.length);
  }
}
