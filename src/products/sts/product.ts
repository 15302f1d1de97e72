import type { Product } from '../product';

/** STS 2015-04-01 (sts.{regionId}.aliyuncs.com; HostId uses the central host). */
export const STS: Product = { name: 'Sts', version: '2015-04-01', host: 'sts.aliyuncs.com', ramService: 'sts' };
