import type { Product } from '../product';
import { STS_PARAMETERS } from './sts-params';

/** STS 2015-04-01 (sts.{regionId}.aliyuncs.com; HostId uses the central host). */
export const STS: Product = { name: 'Sts', version: '2015-04-01', host: 'sts.aliyuncs.com', ramService: 'sts', parameters: STS_PARAMETERS };
