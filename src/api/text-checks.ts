import { MaasError } from '../errors/index.js';

/**
 * Checks that an input text has no NUL character and no lone UTF-16 surrogate, which no
 * tokenizer maps to text and some stores cannot hold.
 *
 * @throws MaasError `MAAS_ERR_REQUEST_INVALID` naming `param` and the position.
 */
export function checkInputText(text: string, param: string): void {
  const nul = text.indexOf('\u0000');
  if (nul !== -1) {
    throw new MaasError(
      'MAAS_ERR_REQUEST_INVALID',
      `${param} contains a NUL character at index ${nul}; remove it`,
      { param },
    );
  }
  // With the u flag a surrogate pair is one code point, so \p{Cs} matches only lone halves.
  if (/\p{Cs}/u.test(text)) {
    throw new MaasError(
      'MAAS_ERR_REQUEST_INVALID',
      `${param} contains a lone UTF-16 surrogate, which is not a character; send well-formed Unicode text`,
      { param },
    );
  }
}
