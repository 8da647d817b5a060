// moto_server as a benchmark baseline: what it needs before it holds ECS state like berth's.

/**
 * moto registers container instances only for EC2 instances it knows: launch them with its
 * EC2 RunInstances (moto accepts any signature) and return their ids.
 */
export async function motoEc2Instances(endpoint: string, accessKeyId: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let left = count; left > 0; left -= 500) {
    const res = await fetch(endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20240101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: `Action=RunInstances&Version=2016-11-15&ImageId=ami-12c6146b&InstanceType=m5.xlarge&MinCount=${Math.min(500, left)}&MaxCount=${Math.min(500, left)}`,
    });
    ids.push(...[...(await res.text()).matchAll(/<instanceId>(i-[0-9a-f]+)<\/instanceId>/g)].map((m) => m[1]!));
  }
  if (ids.length !== count) throw new Error(`moto launched ${ids.length} of ${count} EC2 instances`);
  return ids;
}
