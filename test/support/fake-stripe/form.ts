/** A decoded Stripe form body: `a[b][0][c]=x` nests objects and arrays the way Stripe reads them. */
export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

export function parseForm(encoded: string): FormObject {
  const root: FormObject = {};
  for (const [rawKey, value] of new URLSearchParams(encoded)) {
    assign(root, keyPath(rawKey), value);
  }
  return root;
}

function keyPath(rawKey: string): string[] {
  const head = rawKey.split('[', 1)[0];
  const rest = [...rawKey.slice(head.length).matchAll(/\[([^\]]*)\]/g)].map((match) => match[1]);
  return [head, ...rest];
}

function assign(container: FormObject | FormValue[], path: string[], value: string): void {
  const [segment, ...rest] = path;
  const key = Array.isArray(container) && segment === '' ? String(container.length) : segment;
  const slots = container as Record<string, FormValue>;
  if (rest.length === 0) {
    slots[key] = value;
    return;
  }
  const existing = slots[key];
  const child =
    typeof existing === 'object' ? existing : isIndex(rest[0]) ? ([] as FormValue[]) : {};
  slots[key] = child;
  assign(child, rest, value);
}

function isIndex(segment: string): boolean {
  return segment === '' || /^\d+$/.test(segment);
}
