/**
 * Throw-away TLS material for tests, made with openssl in `dir`: a CA, a server certificate it signed for
 * 127.0.0.1/localhost (valid one day), and a second, unrelated CA that trusts nothing of ours.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

export interface TestCertificates {
  caFile: string;
  certFile: string;
  keyFile: string;
  /** A CA that did not sign the server certificate. */
  otherCaFile: string;
}

/** Runs one openssl command (given as a string: none of our arguments hold spaces) in `dir`. */
function openssl(dir: string, command: string): void {
  execFileSync('openssl', command.split(' '), { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
}

const EC_KEY = '-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';

export function makeTestCertificates(dir: string): TestCertificates {
  openssl(dir, `req -x509 ${EC_KEY} -keyout ca.key -out ca.pem -days 1 -subj /CN=sqlite2mongo-test-CA`);
  openssl(dir, `req -x509 ${EC_KEY} -keyout other-ca.key -out other-ca.pem -days 1 -subj /CN=some-other-CA`);
  openssl(dir, `req ${EC_KEY} -keyout server.key -out server.csr -subj /CN=127.0.0.1`);
  writeFileSync(
    path.join(dir, 'server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
  );
  openssl(
    dir,
    'x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 1 -extfile server.ext',
  );
  const at = (f: string) => path.join(dir, f);
  return {
    caFile: at('ca.pem'),
    certFile: at('server.pem'),
    keyFile: at('server.key'),
    otherCaFile: at('other-ca.pem'),
  };
}
