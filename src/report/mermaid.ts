import { SecurityReportInvoker, SecurityReportStack } from './schema';

type Shape = 'function' | 'store' | 'invoker';

/**
 * A Mermaid flowchart of one stack: invokers -> functions -> data stores,
 * edges labelled `invoke`, `read`, `write` or `read/write`. Node ids are
 * generated (`n1`, `n2`...), so no construct name can break the syntax; labels
 * are quoted and escaped.
 *
 * @returns the lines between the fences; none when the stack has no function
 */
export function mermaidGraph(stack: SecurityReportStack): string[] {
  if (stack.functions.length === 0) return [];
  const nodes = new Map<string, string>();
  const lines = ['flowchart LR'];
  const edges = new Set<string>();
  // Paths of this stack lose its prefix wherever they start: `GET /orders on Shop/Api` reads `GET /orders on Api`.
  const prefix = `${stack.path}/`;
  const short = (name: string): string => name.split(' ').map((word) => word.startsWith(prefix) ? word.slice(prefix.length) : word).join(' ');
  const node = (key: string, label: string, shape: Shape): string => {
    let id = nodes.get(key);
    if (!id) {
      id = `n${nodes.size + 1}`;
      nodes.set(key, id);
      const text = quote(label);
      lines.push(`  ${id}${shape === 'function' ? `[${text}]` : shape === 'store' ? `[(${text})]` : `([${text}])`}`);
    }
    return id;
  };
  const edge = (from: string, label: string, to: string): void => {
    const line = `  ${from} -->|${quote(label)}| ${to}`;
    if (!edges.has(line)) {
      edges.add(line);
      lines.push(line);
    }
  };

  const stores = new Map(stack.dataStores.map((store) => [store.path, store]));
  const storeNode = (path: string): string => node(`store:${path}`, `${short(path)} (${stores.get(path)!.kind})`, 'store');
  const functionNode = (path: string): string => node(`function:${path}`, short(path), 'function');

  for (const fn of stack.functions) {
    const target = functionNode(fn.path);
    for (const invoker of fn.invokers) {
      const source = stores.has(invoker.source)
        ? storeNode(invoker.source)
        : node(`invoker:${invoker.kind}|${invoker.principal}|${invoker.source}`, invokerLabel(invoker, short), 'invoker');
      edge(source, 'invoke', target);
    }
  }
  for (const store of stack.dataStores) {
    const readers = new Set(store.readers);
    const writers = new Set(store.writers);
    for (const fn of new Set([...store.readers, ...store.writers])) {
      const access = readers.has(fn) && writers.has(fn) ? 'read/write' : readers.has(fn) ? 'read' : 'write';
      edge(functionNode(fn), access, storeNode(store.path));
    }
  }
  return lines;
}

function invokerLabel(invoker: SecurityReportInvoker, short: (name: string) => string): string {
  if (invoker.kind === 'permission') return invoker.source === '*' ? invoker.principal : `${invoker.principal} from ${short(invoker.source)}`;
  return short(invoker.source);
}

/**
 * A quoted Mermaid label. Mermaid reads `#name;` and `#123;` as entities and
 * renders labels as HTML, so `#`, quotes, angle brackets and backticks are
 * written as entities.
 */
export function quote(label: string): string {
  const escaped = label
    .replace(/#/g, '#35;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/`/g, '#96;')
    .replace(/\r?\n/g, ' ');
  return `"${escaped}"`;
}
