package io.postino.mime;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code TLS-Required: No} (RFC 8689 section 3) found in the top-level header section only. */
class TlsRequiredFieldTest {

  private static boolean saysNo(String message) {
    return TlsRequiredField.saysNo(message.getBytes(StandardCharsets.ISO_8859_1));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "TLS-Required: No\r\nSubject: x\r\n\r\nbody\r\n",
      "Subject: x\r\ntls-required:no\r\n\r\nbody\r\n",
      "Subject: x\r\nTLS-Required:\r\n  NO\r\n\r\n",
      "Subject: x\nTLS-Required: no\n\nbody\n",
      "Subject: x\r\nTLS-Required: No\r\n"})
  void theFieldSaysNo(String message) {
    assertTrue(saysNo(message), message);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "Subject: x\r\n\r\nbody\r\n",
      "Subject: x\r\n\r\nTLS-Required: No\r\n",
      "Subject: x\r\nTLS-Required: Yes\r\n\r\n",
      "Subject: x\r\nTLS-Required: No thanks\r\n\r\n",
      "X-TLS-Required: No\r\n\r\n",
      "Subject: TLS-Required: No\r\n\r\n",
      "TLS-Required: No\r\nTLS-Required: No\r\n\r\n"})
  void anythingElseLeavesThePoliciesInForce(String message) {
    assertFalse(saysNo(message), message);
  }

  @ParameterizedTest
  @ValueSource(ints = {TlsRequiredField.MAX_HEADER - 100, TlsRequiredField.MAX_HEADER + 100})
  void onlyTheFirstPartOfAHugeHeaderSectionIsRead(int padding) {
    String message = "X-Pad: " + "a".repeat(padding) + "\r\nTLS-Required: No\r\n\r\n";
    boolean within = padding < TlsRequiredField.MAX_HEADER - 50;
    if (within) {
      assertTrue(saysNo(message));
    } else {
      assertFalse(saysNo(message));
    }
  }
}
