package io.postino.cli;

import io.postino.PostinoOptions;
import io.postino.smtp.MailAddress;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code postino send}: sendmail for scripts and cron. Reads a message from standard input and
 * submits it over SMTP to the local server's SMTP listener (from the configuration) or to
 * {@code --server}. Recipients are the arguments, plus with {@code -t} the addresses of the To, Cc
 * and Bcc fields (as Postfix's sendmail adds them); Bcc fields are removed. All or nothing: if
 * the server refuses any recipient, nothing is sent.
 */
@Command(name = "send", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = ExitCodes.USAGE,
    description = "Read a message from standard input and submit it to the server (sendmail -t style).",
    exitCodeListHeading = "Exit status (sendmail's):%n",
    exitCodeList = {"0:the server took the message", "64:invalid command line",
        "65:no recipients, or an address that is not one (EX_DATAERR)",
        "67:the server refused a recipient for good; nothing was sent (EX_NOUSER)",
        "69:the server refused the message for good (EX_UNAVAILABLE)", "74:standard input cannot be read (EX_IOERR)",
        "75:try again later: a 4xx reply, or no connection to the server (EX_TEMPFAIL)",
        "78:the configuration is invalid"})
final class SendCommand extends OperatorCommand {

  @Parameters(paramLabel = "RECIPIENT", arity = "0..*", description = "recipient addresses")
  List<String> recipients = new ArrayList<>();

  @Option(names = "-t", description = "also send to the addresses in the To, Cc and Bcc fields; Bcc fields are removed")
  boolean fromHeaders;

  @Option(names = "-f", paramLabel = "SENDER",
      description = "the envelope sender (default: the user's name at the configured hostname); <> for none")
  String sender;

  @Option(names = "-i", description = "a line with a single dot does not end the message")
  boolean ignoreDots;

  @Option(names = "--server", paramLabel = "HOST:PORT",
      description = "the SMTP server (default: the smtp listener of the configuration)")
  String server;

  @Option(names = "-v", description = "print the server's final reply (with the queue id)")
  boolean verbose;

  /** Standard input, unless a test gives another. */
  InputStream input = System.in;

  @Override
  int run(PostinoOptions options) throws CommandFailure {
    MessageInput message;
    try {
      message = new MessageInput(new BufferedInputStream(input, 64 * 1024), !ignoreDots);
    } catch (IOException e) {
      throw new CommandFailure(ExitCodes.IO_ERROR, "cannot read the message: " + e.getMessage());
    }
    Set<String> to = new LinkedHashSet<>(recipients);
    if (fromHeaders) {
      to.addAll(message.headerRecipients());
    }
    if (to.isEmpty()) {
      throw new CommandFailure(ExitCodes.DATA_ERROR, "no recipients (give addresses, or -t to take them from the header)");
    }
    for (String address : to) {
      checkAddress(address);
    }
    String from = sender == null ? System.getProperty("user.name") + "@" + options.getHostname()
        : sender.equals("<>") ? "" : sender;
    if (!from.isEmpty()) {
      checkAddress(from);
    }
    String host = ConfigOption.connectable(options.getSmtp().getHost());
    int port = options.getSmtp().getPort();
    if (server == null && port == 0) {
      throw new CommandFailure(ExitCodes.USAGE, "smtp.port is 0 (any free port) in the configuration: "
          + "give the server's port with --server HOST:PORT");
    }
    if (server != null) {
      int colon = server.lastIndexOf(':');
      try {
        host = server.substring(0, colon).replaceAll("^\\[|]$", "");
        port = Integer.parseInt(server.substring(colon + 1));
      } catch (RuntimeException e) {
        throw new CommandFailure(ExitCodes.USAGE, "--server takes HOST:PORT, not " + server);
      }
    }
    try (SmtpSubmission smtp = new SmtpSubmission(host, port)) {
      SmtpSubmission.Reply done = smtp.submit(options.getHostname(), from, List.copyOf(to), message);
      if (verbose) {
        err().println("postino: " + done);
      }
    }
    return ExitCodes.OK;
  }

  private static void checkAddress(String address) throws CommandFailure {
    try {
      MailAddress.parse(address);
    } catch (RuntimeException e) {
      throw new CommandFailure(ExitCodes.DATA_ERROR, "not an address: " + address);
    }
  }
}
