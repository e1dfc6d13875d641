/**
 * What the loader tells the attachments integration about publishing attachments, through a small
 * file beside each collection's raw cache: the integration runs after the content layer and has
 * no view of the loader's options.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ATTACHMENT_POLICY_FILE = 'attachment-policy.json';

export interface AttachmentPolicy {
  /** Publish HTML, XML, script and similar files as they are (`publishActiveAttachments`). */
  publishActive: boolean;
}

/** The policy written into `collectionDir`; without a file (a cache from an older loader), nothing active is published. */
export function readAttachmentPolicy(collectionDir: string): AttachmentPolicy {
  const file = join(collectionDir, ATTACHMENT_POLICY_FILE);
  if (!existsSync(file)) return { publishActive: false };
  try {
    return { publishActive: (JSON.parse(readFileSync(file, 'utf8')) as Partial<AttachmentPolicy>).publishActive === true };
  } catch {
    return { publishActive: false };
  }
}
