// vitest loads TypeScript sources through its own module graph, where a synchronous require of a
// .ts file finds nothing: the dispatcher's lazily loaded command modules are handed in here (the
// same instances the tests import), as the register-ts hook and compiled lib/ load them on demand.
import * as diff from '../../src/cli/diff';
import { provideCommandModules } from '../../src/cli/command-modules';
import * as graph from '../../src/cli/graph';
import * as importCommand from '../../src/cli/import';
import * as validate from '../../src/cli/validate';
import * as verify from '../../src/cli/verify';

provideCommandModules({ diff, graph, import: importCommand, validate, verify });
