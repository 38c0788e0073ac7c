package io.postino.smtp;

/**
 * Strict UTF-8 validation (RFC 3629) over a byte range, without decoding or allocating: refuses
 * overlong forms, surrogates, code points above U+10FFFF and truncated sequences, so that every
 * later check may treat an octet of 0x80 or more as part of a well-formed character.
 */
final class Utf8 {

  private Utf8() {
  }

  static boolean isValid(byte[] b, int from, int to) {
    int i = from;
    while (i < to) {
      int c = b[i] & 0xff;
      if (c < 0x80) {
        i++;
        continue;
      }
      int trailing;
      int min = 0x80;
      int max = 0xbf;
      if (c >= 0xc2 && c <= 0xdf) {
        trailing = 1;
      } else if (c >= 0xe0 && c <= 0xef) {
        trailing = 2;
        if (c == 0xe0) {
          min = 0xa0; // overlong
        } else if (c == 0xed) {
          max = 0x9f; // surrogates
        }
      } else if (c >= 0xf0 && c <= 0xf4) {
        trailing = 3;
        if (c == 0xf0) {
          min = 0x90; // overlong
        } else if (c == 0xf4) {
          max = 0x8f; // above U+10FFFF
        }
      } else {
        return false;
      }
      if (to - i <= trailing) {
        return false;
      }
      int second = b[i + 1] & 0xff;
      if (second < min || second > max) {
        return false;
      }
      for (int k = 2; k <= trailing; k++) {
        if ((b[i + k] & 0xc0) != 0x80) {
          return false;
        }
      }
      i += trailing + 1;
    }
    return true;
  }
}
