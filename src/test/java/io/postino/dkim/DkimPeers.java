package io.postino.dkim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Independent DKIM implementations as verifiers: dkimpy (Debian {@code python3-dkim}) and OpenDKIM
 * ({@code opendkim -t}, Debian {@code opendkim}), both fetching key records from a DNS responder on
 * loopback: dkimpy through dnspython pointed at it, OpenDKIM through its Unbound resolver forwarding
 * there. A missing tool fails the test (CI installs them, see {@code .ci/run}).
 */
final class DkimPeers {

  /** A peer's result per signature, by algorithm ({@code rsa-sha256=pass}), and its words. */
  record Results(List<String> results, String output) {
  }

  private static final Pattern RESULT = Pattern.compile("dkim=(\\w+)\\b(?:(?!dkim=).)*?header\\.a=([\\w-]+)", Pattern.DOTALL);

  private static final String DKIMPY = """
      import re, sys, dkim, dns.resolver
      port = int(sys.argv[1])
      resolver = dns.resolver.Resolver(configure=False)
      resolver.nameservers = ['127.0.0.1']
      resolver.port = port
      def txt(name, timeout=5):
          answer = resolver.resolve(name.decode('ascii').rstrip('.'), 'TXT', lifetime=timeout)
          return b''.join(b''.join(r.strings) for r in answer)
      message = sys.stdin.buffer.read()
      count = len(re.findall(rb'(?mi)^dkim-signature:', message))
      for index in range(count):
          verifier = dkim.DKIM(message)
          try:
              ok = verifier.verify(idx=index, dnsfunc=txt)
          except dkim.ValidationError as e:
              print(e)
              ok = False
          print(verifier.signature_fields.get(b'a', b'?').decode() + '=' + ('pass' if ok else 'fail'))
      """;

  private static final String DKIMPY_SIGN = """
      import sys, dkim
      selector, domain, keyfile, algorithm = sys.argv[1:5]
      message = sys.stdin.buffer.read()
      signature = dkim.sign(message, selector.encode(), domain.encode(), open(keyfile, 'rb').read(),
          canonicalize=(b'relaxed', b'simple'), signature_algorithm=algorithm.encode(),
          include_headers=[b'from', b'to', b'subject', b'date'])
      sys.stdout.buffer.write(signature + message)
      """;

  private static final String DKIMPY_SEAL = """
      import sys, dkim
      selector, domain, keyfile, srv_id = sys.argv[1:5]
      message = sys.stdin.buffer.read()
      arc_set = dkim.arc_sign(message, selector.encode(), domain.encode(), open(keyfile, 'rb').read(),
          srv_id.encode())
      sys.stdout.buffer.write(b''.join(arc_set) + message)
      """;

  private static final String DKIMPY_ARC_VERIFY = """
      import sys, dkim, dns.resolver
      resolver = dns.resolver.Resolver(configure=False)
      resolver.nameservers = ['127.0.0.1']
      resolver.port = int(sys.argv[1])
      def txt(name, timeout=5):
          answer = resolver.resolve(name.decode('ascii').rstrip('.'), 'TXT', lifetime=timeout)
          return b''.join(b''.join(r.strings) for r in answer)
      cv, results, reason = dkim.arc_verify(sys.stdin.buffer.read(), dnsfunc=txt)
      print('arc=' + (cv.decode() if cv else 'none') + ' (' + reason + ')')
      """;

  private DkimPeers() {
  }

  /**
   * The message with an ARC set in front, sealed by dkimpy ({@code dkim.arc_sign}, rsa-sha256,
   * relaxed/relaxed) as the ADMD {@code authservId}: the message must carry an
   * Authentication-Results field of that authserv-id, whose {@code arc=} result (none without one)
   * becomes the seal's {@code cv=}.
   */
  static byte[] dkimpySeal(byte[] message, String selector, String domain, Path key, String authservId, Path work)
      throws Exception {
    byte[] sealed = python(DKIMPY_SEAL, List.of(selector, domain, key.toString(), authservId), message, work);
    if (!new String(sealed, StandardCharsets.ISO_8859_1).startsWith("ARC-Seal:")) {
      throw new AssertionError("dkimpy did not seal: " + new String(sealed, StandardCharsets.ISO_8859_1));
    }
    return sealed;
  }

  /** dkimpy's ARC validation of a message: {@code arc=pass (success)}, {@code arc=fail (reason)}. */
  static String dkimpyArcVerify(Path message, int dnsPort, Path work) throws Exception {
    Path script = work.resolve("arcverify.py");
    Files.writeString(script, DKIMPY_ARC_VERIFY);
    return run(List.of("/usr/bin/python3", script.toString(), String.valueOf(dnsPort)), message);
  }

  /** dkimpy's results for every signature of a message, in message order ({@code rsa-sha256=pass}). */
  static Results dkimpy(Path message, int dnsPort, Path work) throws Exception {
    Path script = work.resolve("verify.py");
    Files.writeString(script, DKIMPY);
    String out = run(List.of("/usr/bin/python3", script.toString(), String.valueOf(dnsPort)), message);
    return new Results(out.lines().filter(l -> l.matches("[a-z0-9-]+=(pass|fail)")).toList(), out);
  }

  /**
   * The message signed by dkimpy ({@code rsa-sha256} with a PEM key, {@code ed25519-sha256} with
   * the base64 of the 32-octet seed), relaxed/simple, its DKIM-Signature field in front.
   */
  static byte[] dkimpySign(byte[] message, String selector, String domain, Path key, String algorithm, Path work)
      throws Exception {
    return python(DKIMPY_SIGN, List.of(selector, domain, key.toString(), algorithm), message, work);
  }

  /** The standard output of a dkimpy script given {@code message} on its standard input; fails on an error. */
  private static byte[] python(String script, List<String> arguments, byte[] message, Path work) throws Exception {
    Path file = Files.writeString(work.resolve("dkimpy.py"), script);
    Path in = Files.write(work.resolve("input.eml"), message);
    List<String> command = new ArrayList<>(List.of("/usr/bin/python3", file.toString()));
    command.addAll(arguments);
    ProcessBuilder pb = new ProcessBuilder(command).redirectInput(in.toFile())
        .redirectError(ProcessBuilder.Redirect.DISCARD);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new AssertionError("python3 cannot run (Debian: apt-get install python3-dkim python3-authres)", e);
    }
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError("dkimpy failed (are python3-dkim and python3-authres installed?)");
    }
    return out;
  }

  /**
   * OpenDKIM's results for every signature of a message, in message order, from the
   * Authentication-Results that {@code opendkim -t} prints.
   */
  static Results opendkim(Path message, int dnsPort, Path work) throws Exception {
    Path unbound = work.resolve("unbound.conf");
    Files.writeString(unbound, """
        server:
          do-not-query-localhost: no
          module-config: "iterator"
        forward-zone:
          name: "."
          forward-addr: 127.0.0.1@%d
        """.formatted(dnsPort));
    Path conf = work.resolve("opendkim.conf");
    Files.writeString(conf, """
        Mode v
        Syslog no
        LogWhy yes
        ResolverConfiguration %s
        """.formatted(unbound));
    String out = run(List.of(opendkim(), "-x", conf.toString(), "-vvv", "-t", message.toString()), null);
    List<String> results = new ArrayList<>();
    Matcher m = RESULT.matcher(out);
    while (m.find()) {
      results.add(m.group(2) + "=" + m.group(1));
    }
    return new Results(results, out);
  }

  private static String opendkim() {
    for (String p : List.of("/usr/sbin/opendkim", "/usr/bin/opendkim")) {
      if (Files.isExecutable(Path.of(p))) {
        return p;
      }
    }
    throw new AssertionError("opendkim is not installed (Debian: apt-get install opendkim opendkim-tools)");
  }

  /** Runs a command (stdin from {@code input} if not null) and returns its output, stderr included. */
  static String run(List<String> command, Path input) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
    if (input != null) {
      pb.redirectInput(input.toFile());
    }
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new AssertionError(command.get(0) + " cannot run (Debian: apt-get install python3-dkim opendkim "
          + "opendkim-tools): " + e.getMessage(), e);
    }
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(command + " did not finish");
    }
    return new String(out, StandardCharsets.UTF_8).strip() + "\n(exit " + p.exitValue() + ")";
  }
}
