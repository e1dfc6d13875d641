/** The package version, for snapshot manifests and the CLI's --version. */
import pkg from '../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;
